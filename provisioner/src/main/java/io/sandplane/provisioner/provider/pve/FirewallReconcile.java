package io.sandplane.provisioner.provider.pve;

import io.sandplane.model.network.Cidr;
import io.sandplane.provisioner.client.PveTypes;
import io.sandplane.provisioner.config.IsolationSettings;
import io.sandplane.provisioner.provider.pve.FirewallLayout.GroupSpec;
import io.sandplane.provisioner.provider.pve.FirewallLayout.IpSetSpec;
import io.sandplane.provisioner.provider.pve.FirewallLayout.RuleSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What to change so that one datacenter IP set or security group is as Sandplane wants it, decided from what PVE
 * holds now (a pure function; {@link ClusterFirewall} carries it out). Changes that only add (create, add an entry,
 * put rules on top) never need a digest and are all done at once; each change that removes or rewrites carries the
 * digest of the read it was decided on, and is done alone, after which the object is read and decided again, so an
 * edit by someone else in between is detected by PVE instead of overwritten.
 *
 * <p>The order keeps every moment safe for running guests: new rules go on top of the old ones, which are removed
 * from the bottom once the new ones are in place, and entries are added before stale ones are removed; in between,
 * the union of old and new is in force (first match wins, so the new rules decide).
 */
public final class FirewallReconcile {

    private FirewallReconcile() {
    }

    public sealed interface Action permits CreateIpSet, AddEntry, IncludeEntry, RemoveEntry, CreateGroup, PutRulesOnTop,
            RemoveRule {

        /** Whether it removes or rewrites what is there (and so carries a digest). */
        default boolean destructive() {
            return this instanceof IncludeEntry || this instanceof RemoveEntry || this instanceof RemoveRule;
        }
    }

    public record CreateIpSet(String name, String comment) implements Action {
    }

    /** {@code cidr} in the canonical spelling; PVE stores hosts without their prefix. */
    public record AddEntry(String ipSet, String cidr) implements Action {
    }

    /** An entry that is there but marked {@code nomatch} (an exclusion): it must match. */
    public record IncludeEntry(String ipSet, String storedCidr, String digest) implements Action {
    }

    public record RemoveEntry(String ipSet, String storedCidr, String digest) implements Action {
    }

    public record CreateGroup(String name, String comment) implements Action {
    }

    /** The rules, in order, above whatever the group holds (PVE inserts each new rule at position 0). */
    public record PutRulesOnTop(String group, List<RuleSpec> rules) implements Action {
    }

    public record RemoveRule(String group, int pos, String digest) implements Action {
    }

    /**
     * @param entries the set's entries, or empty when the set does not exist
     */
    public static List<Action> ipSet(IpSetSpec wanted, Optional<List<PveTypes.IpSetEntry>> entries) {
        List<Action> actions = new ArrayList<>();
        if (entries.isEmpty()) {
            actions.add(new CreateIpSet(wanted.name(), wanted.comment()));
            wanted.entries().forEach(c -> actions.add(new AddEntry(wanted.name(), c.toString())));
            return actions;
        }
        Set<Cidr> present = new LinkedHashSet<>();
        List<Action> destructive = new ArrayList<>();
        for (PveTypes.IpSetEntry entry : entries.get()) {
            Optional<Cidr> cidr = IsolationSettings.cidr(entry.cidr());
            if (cidr.isEmpty() || !wanted.entries().contains(cidr.get())) {
                // Not ours (an alias, an address someone added, an entry of an earlier setting): it would let in or
                // keep out what the settings do not say.
                destructive.add(new RemoveEntry(wanted.name(), entry.cidr(), entry.digest()));
            } else {
                present.add(cidr.get());
                if (entry.excluded()) {
                    destructive.add(new IncludeEntry(wanted.name(), entry.cidr(), entry.digest()));
                }
            }
        }
        wanted.entries().stream().filter(c -> !present.contains(c))
                .forEach(c -> actions.add(new AddEntry(wanted.name(), c.toString())));
        actions.addAll(destructive);
        return actions;
    }

    /**
     * @param rules the group's rules, or empty when the group does not exist
     */
    public static List<Action> group(GroupSpec wanted, Optional<List<PveTypes.FirewallRule>> rules) {
        if (rules.isEmpty()) {
            return List.of(new CreateGroup(wanted.name(), wanted.comment()), new PutRulesOnTop(wanted.name(), wanted.rules()));
        }
        List<PveTypes.FirewallRule> present = rules.get();
        if (FirewallLayout.sameRules(wanted.rules(), present)) {
            return List.of();
        }
        if (present.size() > wanted.rules().size()
                && FirewallLayout.sameRules(wanted.rules(), present.subList(0, wanted.rules().size()))) {
            // The wanted rules are on top already: what is below them goes, from the bottom up.
            PveTypes.FirewallRule last = present.getLast();
            return List.of(new RemoveRule(wanted.name(), present.size() - 1, last.digest()));
        }
        return List.of(new PutRulesOnTop(wanted.name(), wanted.rules()));
    }

    /**
     * The changes to make now: every additive one, or if there are none, the first destructive one (its digest is
     * from the read these actions were decided on, so it must be made before anything else changes the object).
     */
    public static List<Action> nextBatch(List<Action> actions) {
        List<Action> additive = actions.stream().filter(a -> !a.destructive()).toList();
        if (!additive.isEmpty()) {
            return additive;
        }
        return actions.isEmpty() ? List.of() : List.of(actions.getFirst());
    }
}
