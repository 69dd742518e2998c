package io.sandplane.reaper.decision;

import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.lifecycle.TtlAction;
import java.time.Instant;
import java.util.Objects;

/** The columns of a sandbox row that the rules read. */
public record SandboxRow(
        String id,
        SandboxStatus status,
        ProvisionStep step,
        Integer vmid,
        String node,
        TtlAction ttlAction,
        Instant expiresAt,
        Integer idleTimeoutSeconds,
        Instant lastActivityAt,
        Instant statusChangedAt,
        Instant updatedAt) {

    public SandboxRow {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(ttlAction, "ttlAction");
        Objects.requireNonNull(statusChangedAt, "statusChangedAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
