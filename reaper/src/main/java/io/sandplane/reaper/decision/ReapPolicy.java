package io.sandplane.reaper.decision;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits the rules apply.
 *
 * @param orphanGrace           how long a guest must be seen without an owner before it is deleted
 * @param retention             how long a sandbox may stay paused or stopped before it is deleted
 * @param provisioningDeadline  how long a start may go without progress before it is recovered
 * @param deletingDeadline      how long a delete may take before it is retried
 * @param maxDestructiveActions the cap on destructive actions per pass
 */
public record ReapPolicy(
        Duration orphanGrace,
        Duration retention,
        Duration provisioningDeadline,
        Duration deletingDeadline,
        int maxDestructiveActions) {

    public ReapPolicy {
        Objects.requireNonNull(orphanGrace);
        Objects.requireNonNull(retention);
        Objects.requireNonNull(provisioningDeadline);
        Objects.requireNonNull(deletingDeadline);
        if (orphanGrace.isNegative() || retention.isNegative() || provisioningDeadline.isNegative()
                || deletingDeadline.isNegative()) {
            throw new IllegalArgumentException("reaper durations must not be negative");
        }
        if (maxDestructiveActions < 0) {
            throw new IllegalArgumentException("the cap on destructive actions must not be negative");
        }
    }

    public ReapPolicy withMaxDestructiveActions(int cap) {
        return new ReapPolicy(orphanGrace, retention, provisioningDeadline, deletingDeadline, cap);
    }

    public ReapPolicy withOrphanGrace(Duration grace) {
        return new ReapPolicy(grace, retention, provisioningDeadline, deletingDeadline, maxDestructiveActions);
    }

    public ReapPolicy withProvisioningDeadline(Duration deadline) {
        return new ReapPolicy(orphanGrace, retention, deadline, deletingDeadline, maxDestructiveActions);
    }

    public ReapPolicy withDeletingDeadline(Duration deadline) {
        return new ReapPolicy(orphanGrace, retention, provisioningDeadline, deadline, maxDestructiveActions);
    }
}
