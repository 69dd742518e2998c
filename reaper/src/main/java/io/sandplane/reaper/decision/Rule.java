package io.sandplane.reaper.decision;

/** Why the reaper acts. Every action and every event it writes names one. */
public enum Rule {
    /** The sandbox is past {@code expires_at}: its {@code ttlAction}. */
    TTL("ttl"),
    /** Running with no activity for longer than its idle timeout: pause. */
    IDLE("idle"),
    /** Paused or stopped for longer than the retention: delete. */
    RETENTION("retention"),
    /** A tagged guest that no live sandbox owns, unowned for the whole grace period: delete the guest. */
    ORPHAN("orphan"),
    /** A running, paused or stopped sandbox whose guest no longer exists: mark it LOST. */
    LOST("lost"),
    /** A start that made no progress for longer than the deadline: finish it or roll it back. */
    STUCK_PROVISIONING("stuck-provisioning"),
    /** A delete that has not finished within the deadline: try again. */
    STUCK_DELETING("stuck-deleting"),
    /** A VMID still held for a sandbox that no longer needs it: release it. */
    VMID_LEAK("vmid-leak");

    private final String id;

    Rule(String id) {
        this.id = id;
    }

    /** The name used in events, logs and metric tags. */
    public String id() {
        return id;
    }
}
