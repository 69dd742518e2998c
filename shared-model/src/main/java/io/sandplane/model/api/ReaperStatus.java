package io.sandplane.model.api;

import java.time.Instant;

/**
 * @param instance             this replica's name
 * @param leader               this replica holds the reaper lock and runs the passes
 * @param leaderInstance       the replica holding the lock, as the database sees it, if any
 * @param leaderSince          when this replica became the leader, if it is
 * @param dryRun               the reaper decides and reports but acts on nothing
 * @param intervalMs           time between passes
 * @param lastSuccessfulPassAt when this replica last completed a pass, if ever
 * @param lastPass             the last pass this replica ran, if any
 */
public record ReaperStatus(
        String instance,
        boolean leader,
        String leaderInstance,
        Instant leaderSince,
        boolean dryRun,
        long intervalMs,
        Instant lastSuccessfulPassAt,
        ReaperPassReport lastPass) {
}
