package io.sandplane.provisioner.provider.pve;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandplane.model.network.Cidr;
import io.sandplane.model.network.EgressMode;
import io.sandplane.model.network.EgressRule;
import io.sandplane.model.network.NetworkPolicy;
import io.sandplane.model.network.Ports;
import io.sandplane.model.network.Protocol;
import io.sandplane.provisioner.client.PveTypes;
import io.sandplane.provisioner.config.IsolationSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The isolation audit's judgement, from what PVE reported, without PVE. */
class IsolationAuditTest {

    private static final IsolationSettings ENFORCED = settings(IsolationSettings.Mode.ENFORCE);
    private static final NetworkPolicy LISTED = new NetworkPolicy(EgressMode.ALLOW_LIST,
            List.of(new EgressRule(Cidr.of("203.0.113.0/24"), Protocol.TCP, Ports.of("443"))));
    private static final String NET0 = "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp,firewall=1";
    private static final String ADDRESS = "10.10.0.7";

    @Test
    void aGuestAsSandplaneWroteItIsIsolated() {
        assertThat(IsolationAudit.problems(ENFORCED, LISTED, asWritten(LISTED))).isEmpty();
        assertThat(IsolationAudit.problems(ENFORCED, NetworkPolicy.DEFAULT, asWritten(NetworkPolicy.DEFAULT))).isEmpty();
    }

    @Test
    void eachSwitchThatIsOffIsNamed() {
        var seen = asWritten(LISTED);
        var datacenterOff = new IsolationAudit.Observed(options(0L, null, null, null, null), seen.net0(), seen.guest(),
                seen.rules(), seen.ipfilter(), ADDRESS);
        assertThat(IsolationAudit.problems(ENFORCED, LISTED, datacenterOff)).containsExactly(
                "the datacenter firewall is off: no guest is filtered");

        var nicOff = new IsolationAudit.Observed(seen.datacenter(), NET0.replace("firewall=1", "firewall=0"),
                seen.guest(), seen.rules(), seen.ipfilter(), ADDRESS);
        assertThat(IsolationAudit.problems(ENFORCED, LISTED, nicOff)).singleElement().asString()
                .startsWith("the NIC net0 is not behind the firewall");

        var guestOff = new IsolationAudit.Observed(seen.datacenter(), NET0, options(null, null, 1, "ACCEPT", "ACCEPT"),
                seen.rules(), seen.ipfilter(), ADDRESS);
        assertThat(IsolationAudit.problems(ENFORCED, LISTED, guestOff)).containsExactly(
                "the guest's firewall option enable is 0, not 1",
                "the guest's firewall option ipfilter is 0, not 1",
                "the guest's firewall option policy_in is ACCEPT, not REJECT",
                "the guest's firewall option policy_out is ACCEPT, not REJECT");
    }

    @Test
    void rulesThatAreNotSandplanesAndExtraSourceAddressesAreProblems() {
        var seen = asWritten(LISTED);
        List<PveTypes.FirewallRule> opened = new ArrayList<>(seen.rules());
        opened.addFirst(rule(new FirewallLayout.RuleSpec("in", "ACCEPT", null, null, null, null, null)));
        var withRule = new IsolationAudit.Observed(seen.datacenter(), NET0, seen.guest(), opened, seen.ipfilter(), ADDRESS);
        assertThat(IsolationAudit.problems(ENFORCED, LISTED, withRule)).containsExactly(
                "the guest's firewall rules are not the 3 Sandplane wrote for egress allow-list (found 4)");

        var spoofing = new IsolationAudit.Observed(seen.datacenter(), NET0, seen.guest(), seen.rules(),
                Optional.of(List.of(entry(ADDRESS), entry("10.10.0.8"))), ADDRESS);
        assertThat(IsolationAudit.problems(ENFORCED, LISTED, spoofing)).containsExactly(
                "the IP set ipfilter-net0 lets the guest send from 10.10.0.8, not only from its address 10.10.0.7");
    }

    @Test
    void anAddressOutsideTheSandboxNetworkIsAProblemEvenWithTheFirewallOff() {
        var seen = asWritten(LISTED);
        var moved = new IsolationAudit.Observed(seen.datacenter(), NET0, seen.guest(), seen.rules(),
                Optional.of(List.of(entry("192.168.1.5"))), "192.168.1.5");
        assertThat(IsolationAudit.problems(ENFORCED, LISTED, moved)).containsExactly(
                "the guest's address 192.168.1.5 is outside the sandbox network (PVE_IP_POOL_CIDR 10.10.0.0/24)");

        IsolationSettings off = settings(IsolationSettings.Mode.OFF);
        var unread = new IsolationAudit.Observed(null, "name=eth0", null, List.of(), Optional.empty(), "192.168.1.5");
        assertThat(IsolationAudit.problems(off, LISTED, unread)).containsExactly(
                "the guest's address 192.168.1.5 is outside the sandbox network (PVE_IP_POOL_CIDR 10.10.0.0/24)");
        var stopped = new IsolationAudit.Observed(null, "name=eth0", null, List.of(), Optional.empty(), null);
        assertThat(IsolationAudit.problems(off, LISTED, stopped)).isEmpty();
    }

    private static IsolationAudit.Observed asWritten(NetworkPolicy policy) {
        var o = FirewallLayout.guestOptions(policy);
        return new IsolationAudit.Observed(options(1L, null, null, null, null), NET0,
                options(1L, 1, null, o.get("policy_in"), o.get("policy_out")),
                FirewallLayout.guestRules(policy).stream().map(IsolationAuditTest::rule).toList(),
                Optional.of(List.of(entry(ADDRESS))), ADDRESS);
    }

    private static PveTypes.FirewallOptions options(Long enable, Integer ipfilter, Integer macfilter, String in, String out) {
        return new PveTypes.FirewallOptions(enable, ipfilter, macfilter, in, out, "digest");
    }

    /** A rule as PVE reads it back: enabled, its addresses as written. */
    private static PveTypes.FirewallRule rule(FirewallLayout.RuleSpec spec) {
        return new PveTypes.FirewallRule(0, spec.type(), spec.action(), spec.source(), spec.dest(), spec.proto(),
                spec.dport(), null, null, null, null, 1, spec.comment(), null, "digest");
    }

    private static PveTypes.IpSetEntry entry(String cidr) {
        return new PveTypes.IpSetEntry(cidr, null, null, "digest");
    }

    private static IsolationSettings settings(IsolationSettings.Mode mode) {
        List<Cidr> one = List.of(Cidr.of("10.10.1.2/32"));
        return new IsolationSettings(mode, one, one, List.of(), List.of(), List.of(Cidr.of("10.10.0.0/24")));
    }
}
