package io.sandplane.provisioner.provider.pve;

import io.quarkus.runtime.StartupEvent;
import io.sandplane.model.api.ProviderHealth;
import io.sandplane.provisioner.client.PveClient;
import io.sandplane.provisioner.client.PvePermanentException;
import io.sandplane.provisioner.client.PveTypes;
import io.sandplane.provisioner.config.IsolationSettings;
import io.sandplane.provisioner.config.ProvisionerSettings;
import io.sandplane.provisioner.provider.pve.FirewallLayout.GroupSpec;
import io.sandplane.provisioner.provider.pve.FirewallLayout.IpSetSpec;
import io.sandplane.provisioner.provider.pve.FirewallReconcile.Action;
import io.sandplane.provisioner.service.Failures;
import io.sandplane.provisioner.service.LockSession;
import io.sandplane.provisioner.service.OperationLocks;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The datacenter's part of Sandplane's firewall: the IP sets and security groups every guest's rules name
 * ({@link FirewallLayout}), made to match the settings at start-up and again before a start once the last check is
 * older than {@code PROVISIONER_FIREWALL_RECHECK}; and PVE's datacenter switch, without which no guest is filtered.
 * Sandplane never turns that switch on: it also turns on every node's host firewall, which locks out whoever manages
 * PVE from outside the {@code management} IP set (docs/deploy.md). With it off a start fails at once, saying so.
 *
 * <p>Replicas reconcile one at a time (a PostgreSQL advisory lock per cluster), so two never add the same rules twice.
 */
@ApplicationScoped
public class ClusterFirewall {

    private static final Logger LOG = Logger.getLogger(ClusterFirewall.class);
    /** A reconcile takes well under a second; another replica's is waited for this long. */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(60);

    private final PveClient pve;
    private final OperationLocks locks;
    private final IsolationSettings isolation;
    private final String cluster;
    private final Duration recheck;
    private final List<IpSetSpec> ipSets;
    private final List<GroupSpec> groups;
    private final ReentrantLock reconciling = new ReentrantLock();
    /** {@link System#nanoTime()} of the last check that found everything right; 0: none is trusted. */
    private volatile long verifiedAt;
    private volatile Instant reconciledAt;
    private volatile String problem;

    public ClusterFirewall(PveClient pve, OperationLocks locks, ProvisionerSettings settings) {
        this.pve = pve;
        this.locks = locks;
        this.isolation = settings.isolation();
        this.cluster = settings.cluster();
        this.recheck = settings.tuning().firewallRecheck();
        this.ipSets = FirewallLayout.ipSets(isolation);
        this.groups = FirewallLayout.groups();
    }

    /** At start-up, off the boot thread: PVE may be slow or away, and the next start tries again anyway. */
    void onStart(@Observes StartupEvent event) {
        if (isolation.enforced()) {
            Thread.ofVirtual().name("firewall-reconcile").start(() -> {
                try {
                    requireReady();
                } catch (RuntimeException e) {
                    LOG.warnf("PVE's firewall is not ready for isolated starts: %s", Failures.reason(e));
                }
            });
        }
    }

    /**
     * Before a start: the datacenter objects are right (made right if not) and the datacenter firewall is on. Cheap
     * while the last check is recent.
     *
     * @throws PvePermanentException saying what to do, when the datacenter firewall is off
     */
    public void requireReady() {
        if (!isolation.enforced() || (fresh() && groupsPresent())) {
            return;
        }
        reconciling.lock();
        try {
            if (!fresh()) {
                verify();
            }
        } finally {
            reconciling.unlock();
        }
    }

    /** Forgets the last check: the next start checks again (e.g. after an operator changed the datacenter's firewall). */
    public void forget() {
        verifiedAt = 0;
    }

    /** For {@code /internal/provider/health}: the datacenter switch as PVE reports it now, and the last reconcile. */
    public ProviderHealth.Firewall health() {
        if (!isolation.enforced()) {
            return new ProviderHealth.Firewall(IsolationSettings.Mode.OFF.id(), false, null, null);
        }
        String found;
        boolean enabled = false;
        try {
            Optional<String> off = datacenterProblem(pve.clusterFirewallOptionsOnce());
            enabled = off.isEmpty();
            found = off.orElse(problem);
        } catch (RuntimeException e) {
            found = "the datacenter firewall's state cannot be read: " + Failures.reason(e);
        }
        return new ProviderHealth.Firewall(IsolationSettings.Mode.ENFORCE.id(), enabled, reconciledAt, found);
    }

    /**
     * One cheap read on every start while the last check is trusted: a guest rule naming a security group that is
     * gone is an empty chain to PVE, so its egress denials would silently not apply. A missing group (deleted by
     * someone, or a PVE whose firewall was reset) makes the caller reconcile at once.
     */
    private boolean groupsPresent() {
        Set<String> present = pve.securityGroups().stream().map(PveTypes.FirewallObject::id).collect(Collectors.toSet());
        if (groups.stream().allMatch(g -> present.contains(g.name()))) {
            return true;
        }
        LOG.warnf("Sandplane's security groups are not all on PVE any more (found %s); reconciling",
                present.stream().sorted().collect(Collectors.joining(", ")));
        forget();
        return false;
    }

    private boolean fresh() {
        long at = verifiedAt;
        return at != 0 && System.nanoTime() - at < recheck.toNanos();
    }

    private void verify() {
        try (LockSession ignored = locks.lockShared(OperationLocks.firewallKey(cluster), LOCK_WAIT,
                "the datacenter firewall's reconcile (another provisioner's)")) {
            int changes = reconcile();
            reconciledAt = Instant.now();
            if (changes > 0) {
                LOG.infof("PVE's datacenter firewall objects reconciled: %d change(s) to Sandplane's IP sets (%s) and"
                        + " security groups (%s)", changes, names(ipSets.stream().map(IpSetSpec::name)),
                        names(groups.stream().map(GroupSpec::name)));
            }
            Optional<String> off = datacenterProblem(pve.clusterFirewallOptions());
            if (off.isPresent()) {
                throw new PvePermanentException(0, off.get(), null);
            }
            problem = null;
            verifiedAt = System.nanoTime();
        } catch (RuntimeException e) {
            problem = Failures.reason(e);
            verifiedAt = 0;
            throw e;
        }
    }

    /** @return how many changes were made */
    private int reconcile() {
        int changes = 0;
        // Sets before groups: PVE refuses a rule naming an IP set that does not exist.
        Set<String> existingSets = pve.clusterIpSets().stream().map(PveTypes.FirewallObject::id).collect(Collectors.toSet());
        for (IpSetSpec set : ipSets) {
            changes += IpSetWriter.converge(set, new DatacenterIpSet(set.name()), existingSets.contains(set.name()), "");
        }
        Set<String> existingGroups = pve.securityGroups().stream().map(PveTypes.FirewallObject::id)
                .collect(Collectors.toSet());
        for (GroupSpec group : groups) {
            changes += converge(group, existingGroups.contains(group.name()));
        }
        return changes;
    }

    private int converge(GroupSpec wanted, boolean exists) {
        Optional<List<PveTypes.FirewallRule>> current = exists ? Optional.of(pve.groupRules(wanted.name())) : Optional.empty();
        int changes = 0;
        for (int round = 0; round < IpSetWriter.MAX_ROUNDS; round++) {
            List<Action> batch = FirewallReconcile.nextBatch(FirewallReconcile.group(wanted, current));
            if (batch.isEmpty()) {
                return changes;
            }
            try {
                for (Action action : batch) {
                    apply(action);
                    changes++;
                }
            } catch (PvePermanentException e) {
                if (!e.changedSinceRead()) {
                    throw e;
                }
                LOG.infof("Security group %s changed while Sandplane was updating it; reading it again", wanted.name());
            }
            current = Optional.of(pve.groupRules(wanted.name()));
        }
        throw new PvePermanentException(0, "security group " + wanted.name() + " did not settle after "
                + IpSetWriter.MAX_ROUNDS + " changes: is something else rewriting it?", null);
    }

    private void apply(Action action) {
        switch (action) {
            case FirewallReconcile.CreateGroup create ->
                    IpSetWriter.tolerateExisting(() -> pve.createSecurityGroup(create.name(), create.comment()));
            case FirewallReconcile.PutRulesOnTop put -> put.rules().reversed()
                    .forEach(rule -> pve.addGroupRule(put.group(), rule.form()));
            case FirewallReconcile.RemoveRule remove -> pve.removeGroupRule(remove.group(), remove.pos(), remove.digest());
            case FirewallReconcile.CreateIpSet a -> throw new IllegalArgumentException("not a group action: " + a);
            case FirewallReconcile.AddEntry a -> throw new IllegalArgumentException("not a group action: " + a);
            case FirewallReconcile.IncludeEntry a -> throw new IllegalArgumentException("not a group action: " + a);
            case FirewallReconcile.RemoveEntry a -> throw new IllegalArgumentException("not a group action: " + a);
        }
    }

    /**
     * What is wrong with the datacenter switch, with what to do; empty when it is on. A value above 1 is the GUI's
     * anti-lockout trial: PVE counts it for 60 s only, then the firewall is off again.
     */
    static Optional<String> datacenterProblem(PveTypes.FirewallOptions options) {
        Long enable = options == null ? null : options.enable();
        if (enable != null && enable == 1) {
            return Optional.empty();
        }
        String how = " Add the addresses you manage PVE from (and Sandplane's provisioners) to the datacenter IP set"
                + " 'management' first, then set Datacenter → Firewall → Options → Firewall = Yes (or 'enable: 1' in"
                + " /etc/pve/firewall/cluster.fw); see docs/deploy.md. Sandplane never turns it on itself.";
        if (enable != null && enable > 1) {
            return Optional.of("PVE's datacenter firewall is on only for the GUI's one-minute trial (enable=" + enable
                    + "), after which it is off and no guest is filtered: confirm it with enable=1." + how);
        }
        return Optional.of("PVE's datacenter firewall is off (enable=" + (enable == null ? 0 : enable) + "), so no"
                + " guest is filtered and sandboxes would not be isolated; starts are refused while "
                + IsolationSettings.MODE + "=enforce." + how);
    }

    private static String names(java.util.stream.Stream<String> names) {
        return names.collect(Collectors.joining(", "));
    }

    /** A datacenter IP set, for {@link IpSetWriter}. */
    private final class DatacenterIpSet implements IpSetWriter.Target {
        private final String name;

        DatacenterIpSet(String name) {
            this.name = name;
        }

        @Override
        public Optional<List<PveTypes.IpSetEntry>> read() {
            return Optional.of(pve.clusterIpSet(name));
        }

        @Override
        public void create(String comment) {
            pve.createClusterIpSet(name, comment);
        }

        @Override
        public void add(String cidr) {
            pve.addClusterIpSetEntry(name, cidr);
        }

        @Override
        public void include(String storedCidr, String digest) {
            pve.includeClusterIpSetEntry(name, storedCidr, digest);
        }

        @Override
        public void remove(String storedCidr, String digest) {
            pve.removeClusterIpSetEntry(name, storedCidr, digest);
        }
    }
}
