package io.sandplane.reaper.decision;

import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.reaper.decision.GuestIndex.TaggedGuest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The reaper's rules: {@code decide(observation) -> plan}, a pure function.
 *
 * <p>Safety is part of the decision: nothing that deletes or marks LOST is decided for a node whose
 * guest list could not be read; an unowned guest is deleted only after it has been seen unowned for
 * the whole grace period, never while PVE holds a lock on it, never when it is a template; and the
 * destructive actions of one pass are capped, keeping the most overdue.
 */
public final class ReapDecision {

    /** Actions that compete for one row: the strongest wins. */
    private static final Comparator<ReapAction> STRENGTH = Comparator.comparingInt(ReapDecision::strength);
    private static final Comparator<ReapAction> MOST_OVERDUE_FIRST =
            Comparator.comparing(ReapAction::dueSince).thenComparing(ReapAction::target);

    private ReapDecision() {
    }

    public static ReapPlan decide(Observation observation, ReapPolicy policy, Instant now) {
        return decide(observation, new GuestIndex(observation.inventory()), policy, now);
    }

    /** As {@link #decide(Observation, ReapPolicy, Instant)}, with the observation's inventory already indexed. */
    public static ReapPlan decide(Observation observation, GuestIndex guests, ReapPolicy policy, Instant now) {
        RowIndex rows = new RowIndex(observation.rows(), observation.rowsNamedByGuests());
        List<ReapAction> wanted = new ArrayList<>();
        List<Hold> holds = new ArrayList<>();

        for (SandboxRow row : observation.rows()) {
            RowVerdict verdict = forRow(row, guests, policy, now);
            verdict.action().ifPresent(wanted::add);
            holds.addAll(verdict.holds());
        }

        OrphanScan orphans = orphans(guests, rows, observation, policy, now);
        wanted.addAll(orphans.actions);
        holds.addAll(orphans.holds);

        for (VmidHolding holding : observation.vmidHoldings()) {
            vmidLeak(holding, guests, rows, policy, now, wanted, holds);
        }

        List<ReapAction> ready = new ArrayList<>();
        for (ReapAction action : wanted) {
            if (observation.backingOff().contains(action.target())) {
                holds.add(new Hold(action.rule(), action.target(), "backing off after a failed attempt"));
            } else {
                ready.add(action);
            }
        }

        List<ReapAction> destructive = ready.stream().filter(ReapAction::destructive).sorted(MOST_OVERDUE_FIRST).toList();
        int cap = policy.maxDestructiveActions();
        List<ReapAction> deferred = destructive.size() > cap ? destructive.subList(cap, destructive.size()) : List.of();
        Set<ReapAction> deferredSet = new HashSet<>(deferred);
        List<ReapAction> actions = ready.stream().filter(a -> !deferredSet.contains(a)).sorted(MOST_OVERDUE_FIRST).toList();

        return new ReapPlan(actions, deferred, holds, orphans.save, orphans.forget, destructive.size(), cap);
    }

    /**
     * The rules for one row: stuck operations, then LOST, then the strongest of TTL, retention and
     * idle. Also used to check a decision again just before acting on it, with the row as it is then.
     */
    public static RowVerdict forRow(SandboxRow row, GuestIndex guests, ReapPolicy policy, Instant now) {
        return switch (row.status()) {
            case PROVISIONING -> stuck(row, guests, now, row.updatedAt().plus(policy.provisioningDeadline()),
                    due -> new ReapAction.Recover(row.id(), "no progress since " + row.updatedAt()
                            + " (last step " + (row.step() == null ? "none" : row.step()) + "), longer than the deadline of "
                            + human(policy.provisioningDeadline()), due));
            case DELETING -> stuck(row, guests, now, row.updatedAt().plus(policy.deletingDeadline()),
                    due -> new ReapAction.Delete(row.id(), Rule.STUCK_DELETING, "deleting since " + row.updatedAt()
                            + ", longer than the deadline of " + human(policy.deletingDeadline()) + "; trying again", due));
            case RUNNING, PAUSED, STOPPED -> settled(row, guests, policy, now);
            case DELETED, FAILED, LOST -> RowVerdict.NOTHING;
        };
    }

    private static RowVerdict stuck(SandboxRow row, GuestIndex guests, Instant now, Instant due,
            java.util.function.Function<Instant, ReapAction> action) {
        if (due.isAfter(now)) {
            return RowVerdict.NOTHING;
        }
        ReapAction a = action.apply(due);
        if (!nodeReadable(row.node(), guests)) {
            return new RowVerdict(Optional.empty(), List.of(unreadable(a, row.node())));
        }
        return new RowVerdict(Optional.of(a), List.of());
    }

    private static RowVerdict settled(SandboxRow row, GuestIndex guests, ReapPolicy policy, Instant now) {
        List<Hold> holds = new ArrayList<>();
        if (row.vmid() != null && row.node() != null) {
            if (!guests.listed(row.node())) {
                holds.add(new Hold(Rule.LOST, ReapAction.sandboxTarget(row.id()),
                        "cannot check that the guest exists: the guest list of node " + row.node() + " could not be read"));
            } else if (!guests.hasGuestOf(row.id(), row.vmid())) {
                return new RowVerdict(Optional.of(new ReapAction.MarkLost(row.id(), row.vmid(), row.node(),
                        row.status() + " but guest " + row.vmid() + " is not on node " + row.node() + " nor on any other listed node",
                        row.statusChangedAt())), List.of());
            }
        }

        List<ReapAction> candidates = new ArrayList<>(3);
        ttl(row, now).ifPresent(candidates::add);
        retention(row, policy, now).ifPresent(candidates::add);
        idle(row, now).ifPresent(candidates::add);

        ReapAction chosen = null;
        // Strongest first; among equals the rule order above (TTL, retention, idle) wins.
        candidates.sort(STRENGTH.reversed());
        for (ReapAction candidate : candidates) {
            if (candidate.destructive() && !nodeReadable(row.node(), guests)) {
                holds.add(unreadable(candidate, row.node()));
                continue;
            }
            chosen = candidate;
            break;
        }
        return new RowVerdict(Optional.ofNullable(chosen), holds);
    }

    private static Optional<ReapAction> ttl(SandboxRow row, Instant now) {
        if (row.expiresAt() == null || row.expiresAt().isAfter(now)) {
            return Optional.empty();
        }
        String reason = "expired at " + row.expiresAt() + " (ttlAction " + row.ttlAction().id() + ")";
        return switch (row.ttlAction()) {
            case DELETE -> Optional.of(new ReapAction.Delete(row.id(), Rule.TTL, reason, row.expiresAt()));
            case STOP -> row.status() == SandboxStatus.STOPPED ? Optional.empty()
                    : Optional.of(new ReapAction.Stop(row.id(), Rule.TTL, reason, row.expiresAt()));
            case PAUSE -> row.status() == SandboxStatus.RUNNING
                    ? Optional.of(new ReapAction.Pause(row.id(), Rule.TTL, reason, row.expiresAt()))
                    : Optional.empty();
        };
    }

    private static Optional<ReapAction> retention(SandboxRow row, ReapPolicy policy, Instant now) {
        if (row.status() != SandboxStatus.PAUSED && row.status() != SandboxStatus.STOPPED) {
            return Optional.empty();
        }
        Instant due = row.statusChangedAt().plus(policy.retention());
        if (due.isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of(new ReapAction.Delete(row.id(), Rule.RETENTION, row.status() + " since " + row.statusChangedAt()
                + ", longer than the retention of " + human(policy.retention()), due));
    }

    private static Optional<ReapAction> idle(SandboxRow row, Instant now) {
        if (row.status() != SandboxStatus.RUNNING || row.idleTimeoutSeconds() == null) {
            return Optional.empty();
        }
        // Activity before the sandbox last started does not count: a resumed sandbox gets a full timeout.
        Instant idleSince = row.lastActivityAt() == null || row.lastActivityAt().isBefore(row.statusChangedAt())
                ? row.statusChangedAt() : row.lastActivityAt();
        Duration timeout = Duration.ofSeconds(row.idleTimeoutSeconds());
        Instant due = idleSince.plus(timeout);
        if (due.isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of(new ReapAction.Pause(row.id(), Rule.IDLE,
                "no activity since " + idleSince + ", longer than its idle timeout of " + human(timeout), due));
    }

    private static int strength(ReapAction action) {
        return switch (action) {
            case ReapAction.Delete d -> 3;
            case ReapAction.Stop s -> 2;
            case ReapAction.Pause p -> 1;
            case ReapAction.Recover r -> 0;
            case ReapAction.MarkLost m -> 0;
            case ReapAction.DeleteGuest g -> 0;
            case ReapAction.ReleaseVmid v -> 0;
        };
    }

    /** A row without a node has no guest anyone could misjudge; a row on a node that was not listed does. */
    private static boolean nodeReadable(String node, GuestIndex guests) {
        return node == null || guests.listed(node);
    }

    private static Hold unreadable(ReapAction action, String node) {
        return new Hold(action.rule(), action.target(),
                "would " + action.verb() + ", but the guest list of node " + node + " could not be read");
    }

    // ---- orphans -------------------------------------------------------------------------------

    private record OrphanScan(List<ReapAction> actions, List<Hold> holds, List<OrphanSighting> save,
            List<OrphanSighting> forget) {
    }

    private static OrphanScan orphans(GuestIndex guests, RowIndex rows, Observation observation, ReapPolicy policy,
            Instant now) {
        Map<String, OrphanSighting> known = new HashMap<>();
        for (OrphanSighting s : observation.sightings()) {
            known.put(s.node() + "/" + s.vmid(), s);
        }
        List<ReapAction> actions = new ArrayList<>();
        List<Hold> holds = new ArrayList<>();
        List<OrphanSighting> save = new ArrayList<>();
        Set<String> stillUnowned = new HashSet<>();

        for (TaggedGuest tagged : guests.guests()) {
            var guest = tagged.guest();
            // Guests without the tag are never Sandplane's, whatever their name or VMID.
            if (!tagged.tags().managed() || !guests.listed(guest.node())) {
                continue;
            }
            String target = "guest:" + guest.node() + "/" + guest.vmid();
            if (observation.templateVmids().contains(guest.vmid())) {
                continue;
            }
            Optional<String> why = rows.whyUnowned(guest.vmid(), tagged.tags().sandboxId().orElse(null));
            if (why.isEmpty()) {
                continue;
            }
            String tag = tagged.tags().sandboxId().orElse(null);
            String key = guest.node() + "/" + guest.vmid();
            stillUnowned.add(key);
            OrphanSighting sighting = known.get(key);
            if (sighting == null || !sighting.sameGuest(guest.node(), guest.vmid(), tag)) {
                sighting = new OrphanSighting(guest.node(), guest.vmid(), tag, now);
                save.add(sighting);
            }
            Instant due = sighting.firstSeenAt().plus(policy.orphanGrace());
            if (due.isAfter(now)) {
                holds.add(new Hold(Rule.ORPHAN, target, why.get() + "; unowned since " + sighting.firstSeenAt()
                        + ", within the grace period of " + human(policy.orphanGrace())));
            } else if (guest.lock() != null && !guest.lock().isBlank()) {
                holds.add(new Hold(Rule.ORPHAN, target, why.get() + "; PVE holds a '" + guest.lock() + "' lock on it"));
            } else {
                actions.add(new ReapAction.DeleteGuest(guest.node(), guest.vmid(), tag, tag != null && rows.exists(tag),
                        why.get() + "; unowned since " + sighting.firstSeenAt(), due));
            }
        }

        List<OrphanSighting> forget = new ArrayList<>();
        for (OrphanSighting s : observation.sightings()) {
            // Sightings on nodes that could not be listed stay: nothing is known about those guests now.
            if (guests.listed(s.node()) && !stillUnowned.contains(s.node() + "/" + s.vmid())) {
                forget.add(s);
            }
        }
        return new OrphanScan(actions, holds, save, forget);
    }

    // ---- VMIDs ---------------------------------------------------------------------------------

    private static void vmidLeak(VmidHolding h, GuestIndex guests, RowIndex rows, ReapPolicy policy, Instant now,
            List<ReapAction> wanted, List<Hold> holds) {
        if (h.owned()) {
            return;
        }
        // The same grace as for guests: an allocation whose start is being written is never released.
        Instant due = h.allocatedAt().plus(policy.orphanGrace());
        if (due.isAfter(now)) {
            return;
        }
        String target = "vmid:" + h.cluster() + "/" + h.vmid();
        Optional<SandboxRow> user = rows.liveWithVmid(h.vmid());
        if (user.isPresent()) {
            holds.add(new Hold(Rule.VMID_LEAK, target, "sandbox " + user.get().id() + " has this VMID"));
            return;
        }
        if (!guests.complete()) {
            holds.add(new Hold(Rule.VMID_LEAK, target, "not every node's guest list could be read"));
            return;
        }
        if (guests.anyGuestWithVmid(h.vmid())) {
            holds.add(new Hold(Rule.VMID_LEAK, target, "a guest still has this VMID"));
            return;
        }
        String why;
        if (h.sandboxId() == null) {
            why = "held for no sandbox";
        } else if (h.ownerStatus() == null) {
            why = "sandbox " + h.sandboxId() + " has no row";
        } else if (!h.ownerStatus().isLive()) {
            why = "sandbox " + h.sandboxId() + " is " + h.ownerStatus();
        } else {
            why = "sandbox " + h.sandboxId() + " has VMID " + h.ownerVmid() + " now";
        }
        wanted.add(new ReapAction.ReleaseVmid(h.allocationId(), h.cluster(), h.vmid(), h.sandboxId(),
                h.ownerStatus() != null, why, due));
    }

    /** "10m", "7d", "1h30m" */
    static String human(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder s = new StringBuilder();
        long days = d.toDays();
        if (days > 0) {
            s.append(days).append('d');
        }
        if (d.toHoursPart() > 0) {
            s.append(d.toHoursPart()).append('h');
        }
        if (d.toMinutesPart() > 0) {
            s.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0 || d.toMillisPart() > 0) {
            s.append(d.toSecondsPart());
            if (d.toMillisPart() > 0) {
                s.append('.').append(String.format("%03d", d.toMillisPart()));
            }
            s.append('s');
        }
        return s.toString();
    }

    // ---- rows ----------------------------------------------------------------------------------

    /** The rows of both reads, indexed. */
    static final class RowIndex {
        private final Map<String, SandboxRow> byId = new HashMap<>();
        private final Map<Integer, SandboxRow> liveByVmid = new HashMap<>();

        RowIndex(List<SandboxRow> first, List<SandboxRow> later) {
            // The later read is newer: its rows replace the first read's.
            for (List<SandboxRow> rows : List.of(first, later)) {
                for (SandboxRow row : rows) {
                    byId.put(row.id(), row);
                }
            }
            for (SandboxRow row : byId.values()) {
                if (row.status().isLive() && row.vmid() != null) {
                    liveByVmid.put(row.vmid(), row);
                }
            }
        }

        boolean exists(String id) {
            return byId.containsKey(id);
        }

        Optional<SandboxRow> liveWithVmid(int vmid) {
            return Optional.ofNullable(liveByVmid.get(vmid));
        }

        /** Empty when a live sandbox owns (or may own) the guest; otherwise why nothing does. */
        Optional<String> whyUnowned(int vmid, String sandboxTag) {
            if (liveByVmid.containsKey(vmid)) {
                return Optional.empty();
            }
            if (sandboxTag == null) {
                return Optional.of("tagged sandplane without a sandbox tag, and no live sandbox has VMID " + vmid);
            }
            SandboxRow row = byId.get(sandboxTag);
            if (row == null) {
                return Optional.of("sandbox " + sandboxTag + " has no row");
            }
            if (!row.status().isLive()) {
                return Optional.of("sandbox " + sandboxTag + " is " + row.status());
            }
            if (row.vmid() == null) {
                // Its start has not recorded a VMID yet: this may be the clone in flight.
                return Optional.empty();
            }
            return Optional.of("sandbox " + sandboxTag + " has VMID " + row.vmid() + ", not " + vmid + " (a leftover clone)");
        }
    }

    /** Whether a guest is still unowned, against rows read just now; for the check before deleting it. */
    public static Optional<String> whyUnowned(int vmid, String sandboxTag, List<SandboxRow> rowsNow) {
        return new RowIndex(rowsNow, List.of()).whyUnowned(vmid, sandboxTag);
    }
}
