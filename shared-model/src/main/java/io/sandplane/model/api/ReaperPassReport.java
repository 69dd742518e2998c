package io.sandplane.model.api;

import java.time.Instant;
import java.util.List;

/**
 * What one reaper pass saw, decided and did.
 *
 * @param phases            where the time went (null when the pass did not get that far)
 * @param error             why the pass failed, if it did
 * @param destructiveWanted destructive actions the rules asked for before the cap
 * @param cap               the per-pass cap on destructive actions
 * @param capReached        the rules asked for more than the cap: the most overdue were taken, the
 *                          rest deferred (an alert: a bad observation looks like this)
 * @param actions           what the pass decided, with each outcome (at most 1000; see {@code actionsOmitted})
 * @param held              what the rules would have done but must not now, grouped by rule
 * @param isolation         the isolation audit of this pass; null when the pass did not get that far
 */
public record ReaperPassReport(
        Instant startedAt,
        long durationMs,
        Phases phases,
        Outcome outcome,
        String error,
        boolean dryRun,
        int rowsSeen,
        int guestsSeen,
        List<NodeReport> nodes,
        int destructiveWanted,
        int cap,
        boolean capReached,
        List<ActionReport> actions,
        int actionsOmitted,
        List<HeldReport> held,
        IsolationAudit isolation) {

    public enum Outcome {
        /** Observed, decided and went through every decided action (some may have failed). */
        SUCCEEDED,
        /** Could not observe (database or provisioner unreachable) or failed unexpectedly. */
        FAILED,
        /** This replica is not the leader and did nothing. */
        NOT_LEADER,
        /** Leadership was lost during the pass; the remaining actions were not taken. */
        ABORTED
    }

    public enum ActionOutcome {
        DONE,
        /** Dry-run: decided, not taken. */
        DRY_RUN,
        /** No longer due when checked again just before acting, or the state changed under it. */
        SKIPPED,
        FAILED,
        /** Over the cap, or past the pass's time budget: left for the next pass. */
        DEFERRED,
        /** Not taken because this replica stopped being the leader. */
        ABORTED
    }

    /**
     * Milliseconds spent reading the rows, listing the guests (through the provisioner), reading the
     * rest (rows named by guests, sightings, VMIDs, templates), deciding (and saving orphan sightings),
     * taking the actions, and the isolation audit.
     */
    public record Phases(long rowsMs, long guestsMs, long restMs, long decideMs, long actMs, long auditMs) {
    }

    /** @param listed the node's guest list was read; when false nothing is deleted or marked LOST there */
    public record NodeReport(String node, boolean listed, int guests, String error) {
    }

    /**
     * @param sandboxId the sandbox whose history records the action, if any
     * @param detail    what happened (the provisioner's answer, the error, why it was skipped)
     */
    public record ActionReport(String rule, String action, String target, String sandboxId, String reason,
            ActionOutcome outcome, String detail) {
    }

    /** @param examples up to five "target: why" lines */
    public record HeldReport(String rule, int count, List<String> examples) {
    }

    /**
     * The pass's isolation audit: a bounded batch of running sandboxes, checked longest ago first, each
     * guest asked of the provisioner whether its firewall and address still isolate it.
     *
     * @param checked   sandboxes the provisioner answered for
     * @param problems  of those, the ones not isolated now (newly found or still so)
     * @param reported  problems found this pass that were not recorded before (ERROR event written)
     * @param cleared   sandboxes recorded with a problem that were found isolated again
     * @param failed    sandboxes the provisioner could not check (unreachable, an error); checked again next pass
     * @param examples  up to five "sandbox: problem" lines
     */
    public record IsolationAudit(int checked, int problems, int reported, int cleared, int failed, List<String> examples) {
    }
}
