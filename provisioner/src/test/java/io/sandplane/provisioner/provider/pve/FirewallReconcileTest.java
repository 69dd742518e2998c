package io.sandplane.provisioner.provider.pve;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandplane.model.network.Cidr;
import io.sandplane.provisioner.client.PveTypes;
import io.sandplane.provisioner.provider.pve.FirewallLayout.GroupSpec;
import io.sandplane.provisioner.provider.pve.FirewallLayout.IpSetSpec;
import io.sandplane.provisioner.provider.pve.FirewallLayout.RuleSpec;
import io.sandplane.provisioner.provider.pve.FirewallReconcile.AddEntry;
import io.sandplane.provisioner.provider.pve.FirewallReconcile.CreateGroup;
import io.sandplane.provisioner.provider.pve.FirewallReconcile.CreateIpSet;
import io.sandplane.provisioner.provider.pve.FirewallReconcile.IncludeEntry;
import io.sandplane.provisioner.provider.pve.FirewallReconcile.PutRulesOnTop;
import io.sandplane.provisioner.provider.pve.FirewallReconcile.RemoveEntry;
import io.sandplane.provisioner.provider.pve.FirewallReconcile.RemoveRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The datacenter objects' reconcile decisions, from what PVE holds, without PVE. */
class FirewallReconcileTest {

    private static final IpSetSpec ROUTERS = new IpSetSpec("sandplane-routers", "routers",
            List.of(Cidr.of("10.10.1.2/32"), Cidr.of("10.10.2.0/24")));
    private static final RuleSpec IN = new RuleSpec("in", "ACCEPT", "+dc/sandplane-routers", null, "tcp", null, "router");
    private static final RuleSpec EXECD = new RuleSpec("in", "ACCEPT", "+dc/sandplane-provisioners", null, "tcp", "39375",
            "execd");
    private static final GroupSpec GROUP = new GroupSpec("sandplane-in", "inbound", List.of(IN, EXECD));

    @Test
    void aMissingIpSetIsCreatedWithItsEntries() {
        assertThat(FirewallReconcile.ipSet(ROUTERS, Optional.empty())).containsExactly(
                new CreateIpSet("sandplane-routers", "routers"), new AddEntry("sandplane-routers", "10.10.1.2/32"),
                new AddEntry("sandplane-routers", "10.10.2.0/24"));
    }

    @Test
    void entriesAreAddedBeforeForeignOnesAreRemovedAndExclusionsBecomeInclusions() {
        // PVE writes hosts without /32; an entry someone added, and ours marked nomatch.
        var actions = FirewallReconcile.ipSet(ROUTERS, Optional.of(List.of(
                new PveTypes.IpSetEntry("10.10.1.2", null, null, "d1"),
                new PveTypes.IpSetEntry("10.10.2.0/24", 1, null, "d1"),
                new PveTypes.IpSetEntry("192.168.7.7", null, null, "d1"))));
        assertThat(actions).containsExactly(new IncludeEntry("sandplane-routers", "10.10.2.0/24", "d1"),
                new RemoveEntry("sandplane-routers", "192.168.7.7", "d1"));
        var missingOne = FirewallReconcile.ipSet(ROUTERS, Optional.of(List.of(
                new PveTypes.IpSetEntry("192.168.7.7", null, null, "d2"),
                new PveTypes.IpSetEntry("10.10.1.2", null, null, "d2"))));
        assertThat(missingOne).containsExactly(new AddEntry("sandplane-routers", "10.10.2.0/24"),
                new RemoveEntry("sandplane-routers", "192.168.7.7", "d2"));
        // Additions all at once; a removal alone, with the digest of the read it was decided on.
        assertThat(FirewallReconcile.nextBatch(missingOne)).containsExactly(new AddEntry("sandplane-routers", "10.10.2.0/24"));
        assertThat(FirewallReconcile.nextBatch(actions)).containsExactly(
                new IncludeEntry("sandplane-routers", "10.10.2.0/24", "d1"));
        assertThat(FirewallReconcile.ipSet(ROUTERS, Optional.of(List.of(new PveTypes.IpSetEntry("10.10.1.2", null, null, "d"),
                new PveTypes.IpSetEntry("10.10.2.0/24", 0, null, "d"))))).isEmpty();
    }

    @Test
    void aGroupIsCreatedOrGetsItsRulesOnTopThenLosesWhatIsBelowFromTheBottom() {
        assertThat(FirewallReconcile.group(GROUP, Optional.empty())).containsExactly(
                new CreateGroup("sandplane-in", "inbound"), new PutRulesOnTop("sandplane-in", List.of(IN, EXECD)));
        assertThat(FirewallReconcile.group(GROUP, Optional.of(rules(IN, EXECD)))).isEmpty();

        // Someone opened it up: ours go on top (first match wins, so they decide at once), then the rest goes.
        RuleSpec everything = new RuleSpec("in", "ACCEPT", null, null, null, null, "opened");
        assertThat(FirewallReconcile.group(GROUP, Optional.of(rules(everything, IN)))).containsExactly(
                new PutRulesOnTop("sandplane-in", List.of(IN, EXECD)));
        assertThat(FirewallReconcile.group(GROUP, Optional.of(rules(IN, EXECD, everything, IN)))).containsExactly(
                new RemoveRule("sandplane-in", 3, "digest"));

        // A disabled copy of our rule is not our rule.
        List<PveTypes.FirewallRule> disabled = new ArrayList<>(rules(IN, EXECD));
        PveTypes.FirewallRule first = disabled.getFirst();
        disabled.set(0, new PveTypes.FirewallRule(0, first.type(), first.action(), first.source(), null, first.proto(), null,
                null, null, null, null, 0, null, null, "digest"));
        assertThat(FirewallReconcile.group(GROUP, Optional.of(disabled))).containsExactly(
                new PutRulesOnTop("sandplane-in", List.of(IN, EXECD)));
    }

    private static List<PveTypes.FirewallRule> rules(RuleSpec... specs) {
        List<PveTypes.FirewallRule> out = new ArrayList<>();
        for (int i = 0; i < specs.length; i++) {
            RuleSpec s = specs[i];
            out.add(new PveTypes.FirewallRule(i, s.type(), s.action(), s.source(), s.dest(), s.proto(), s.dport(), null,
                    null, null, null, 1, s.comment(), null, "digest"));
        }
        return out;
    }
}
