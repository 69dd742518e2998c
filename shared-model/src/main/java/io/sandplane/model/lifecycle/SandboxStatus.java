package io.sandplane.model.lifecycle;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a sandbox. {@code PROVISIONING → RUNNING ⇄ (PAUSED | STOPPED)}, any live state →
 * {@code DELETING → DELETED}, {@code PROVISIONING → FAILED} after rollback, and
 * {@code RUNNING | PAUSED | STOPPED → LOST} when the guest vanished.
 */
public enum SandboxStatus {
    PROVISIONING,
    RUNNING,
    PAUSED,
    STOPPED,
    DELETING,
    DELETED,
    FAILED,
    LOST;

    /** States in which a guest exists or may exist on the hypervisor and counts against quotas. */
    public boolean isLive() {
        return switch (this) {
            case PROVISIONING, RUNNING, PAUSED, STOPPED, DELETING -> true;
            case DELETED, FAILED, LOST -> false;
        };
    }

    /** States no transition leaves except the final clean-up of a row. */
    public boolean isTerminal() {
        return this == DELETED;
    }

    /** The one place that says which transitions are legal. */
    public boolean canTransitionTo(SandboxStatus to) {
        return legalTargets().contains(to);
    }

    public Set<SandboxStatus> legalTargets() {
        return switch (this) {
            case PROVISIONING -> EnumSet.of(RUNNING, FAILED, DELETING);
            case RUNNING -> EnumSet.of(PAUSED, STOPPED, DELETING, LOST);
            case PAUSED -> EnumSet.of(RUNNING, STOPPED, DELETING, LOST);
            case STOPPED -> EnumSet.of(RUNNING, DELETING, LOST);
            case DELETING -> EnumSet.of(DELETED);
            // FAILED and LOST rows have nothing left on the hypervisor: deleting them only closes the row.
            case FAILED, LOST -> EnumSet.of(DELETED);
            case DELETED -> EnumSet.noneOf(SandboxStatus.class);
        };
    }

    /** Throws {@link IllegalTransitionException} unless {@code from → to} is legal. */
    public static void requireTransition(String sandboxId, SandboxStatus from, SandboxStatus to) {
        if (!from.canTransitionTo(to)) {
            throw new IllegalTransitionException(sandboxId, from, to);
        }
    }
}
