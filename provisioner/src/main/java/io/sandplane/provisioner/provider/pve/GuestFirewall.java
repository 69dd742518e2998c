package io.sandplane.provisioner.provider.pve;

import io.sandplane.model.network.Cidr;
import io.sandplane.model.network.NetworkPolicy;
import io.sandplane.provisioner.client.PveClient;
import io.sandplane.provisioner.client.PveTypes;
import io.sandplane.provisioner.config.IsolationSettings;
import io.sandplane.provisioner.config.ProvisionerSettings;
import io.sandplane.provisioner.provider.GuestRef;
import io.sandplane.provisioner.provider.pve.FirewallLayout.IpSetSpec;
import io.sandplane.provisioner.provider.pve.FirewallLayout.RuleSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/**
 * One guest's part of Sandplane's firewall ({@link FirewallLayout}): its options and rules, written wholesale from
 * the sandbox's network policy before the guest runs, and its {@code ipfilter-net0} IP set, which must name the
 * address DHCP gave it (PVE's implicit set holds only static addresses, so without it the guest could not send from
 * its own address). Every method converges: repeating it after a crash or a lost answer changes nothing more.
 * Does nothing while {@code SANDPLANE_FIREWALL=off}.
 */
@ApplicationScoped
public class GuestFirewall {

    private final PveClient pve;
    private final IsolationSettings isolation;
    private final ClusterFirewall cluster;

    public GuestFirewall(PveClient pve, ProvisionerSettings settings, ClusterFirewall cluster) {
        this.pve = pve;
        this.cluster = cluster;
        this.isolation = settings.isolation();
    }

    public boolean enforced() {
        return isolation.enforced();
    }

    /**
     * Options first, then rules: options switch the guest's filter on with {@code policy_in REJECT}, so a failure half
     * way leaves a guest that refuses more than it should, never one that accepts more. Stale pinned addresses go too.
     * The datacenter's groups the rules name are made sure of first: a group PVE does not have is an empty chain, so
     * the guest's egress denials would silently not apply.
     */
    public void write(GuestRef guest, NetworkPolicy policy) {
        if (!isolation.enforced()) {
            return;
        }
        cluster.requireReady();
        pve.setGuestFirewallOptions(guest.node(), guest.vmid(), FirewallLayout.guestOptions(policy),
                FirewallLayout.RESET_OPTIONS);
        replaceRules(guest, FirewallLayout.guestRules(policy));
        // A template's file (clones copy it) or an earlier lease may have left addresses the guest could send from.
        if (pve.guestIpSet(guest.node(), guest.vmid(), FirewallLayout.IPFILTER_NET0).map(e -> !e.isEmpty()).orElse(false)) {
            pin(guest, List.of());
        }
    }

    /** Makes {@code ipfilter-net0} hold exactly the guest's current address. */
    public void pinAddress(GuestRef guest) {
        if (!isolation.enforced()) {
            return;
        }
        pin(guest, List.of(Cidr.parse("address", guest.ip())));
    }

    private void pin(GuestRef guest, List<Cidr> addresses) {
        IpSetSpec wanted = new IpSetSpec(FirewallLayout.IPFILTER_NET0,
                "Sandplane (managed): the address DHCP gave this sandbox, the only one it may send from", addresses);
        IpSetWriter.converge(wanted, new GuestIpSet(guest), true, " of guest " + guest);
    }

    /**
     * The guest's rules become exactly {@code wanted}: nothing happens when they are already, otherwise every rule is
     * removed (from the bottom, so positions stay valid) and the wanted ones are added bottom-up (PVE inserts each new
     * rule at position 0). The guest is not running, and its operation lock keeps other writers away.
     */
    private void replaceRules(GuestRef guest, List<RuleSpec> wanted) {
        List<PveTypes.FirewallRule> current = pve.guestRules(guest.node(), guest.vmid());
        if (FirewallLayout.sameRules(wanted, current)) {
            return;
        }
        for (int pos = current.size() - 1; pos >= 0; pos--) {
            pve.removeGuestRule(guest.node(), guest.vmid(), pos, null);
        }
        wanted.reversed().forEach(rule -> pve.addGuestRule(guest.node(), guest.vmid(), rule.form()));
    }

    /** Everything {@link IsolationAudit} judges, read from PVE now; the firewall parts only while it is enforced. */
    public IsolationAudit.Observed observe(GuestRef guest, String net0, String address) {
        if (!isolation.enforced()) {
            return new IsolationAudit.Observed(null, net0, null, List.of(), Optional.empty(), address);
        }
        return new IsolationAudit.Observed(pve.clusterFirewallOptions(), net0,
                pve.guestFirewallOptions(guest.node(), guest.vmid()), pve.guestRules(guest.node(), guest.vmid()),
                pve.guestIpSet(guest.node(), guest.vmid(), FirewallLayout.IPFILTER_NET0), address);
    }

    /** A guest's IP set, for {@link IpSetWriter}. */
    private final class GuestIpSet implements IpSetWriter.Target {
        private final GuestRef guest;

        GuestIpSet(GuestRef guest) {
            this.guest = guest;
        }

        @Override
        public Optional<List<PveTypes.IpSetEntry>> read() {
            return pve.guestIpSet(guest.node(), guest.vmid(), FirewallLayout.IPFILTER_NET0);
        }

        @Override
        public void create(String comment) {
            pve.createGuestIpSet(guest.node(), guest.vmid(), FirewallLayout.IPFILTER_NET0, comment);
        }

        @Override
        public void add(String cidr) {
            pve.addGuestIpSetEntry(guest.node(), guest.vmid(), FirewallLayout.IPFILTER_NET0, cidr);
        }

        @Override
        public void include(String storedCidr, String digest) {
            // Only a datacenter set is ever rewritten in place; an excluded entry of a guest's own set is removed.
            pve.removeGuestIpSetEntry(guest.node(), guest.vmid(), FirewallLayout.IPFILTER_NET0, storedCidr, digest);
        }

        @Override
        public void remove(String storedCidr, String digest) {
            pve.removeGuestIpSetEntry(guest.node(), guest.vmid(), FirewallLayout.IPFILTER_NET0, storedCidr, digest);
        }
    }
}
