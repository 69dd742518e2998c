package io.sandplane.reaper.decision;

import java.time.Instant;

/**
 * A guest seen without an owner, since {@code firstSeenAt}. Stored, so that the grace period
 * survives restarts and leader changes; it starts again when the guest's sandbox tag changes.
 *
 * @param sandboxId the guest's {@code sbx_…} tag, or null
 */
public record OrphanSighting(String node, int vmid, String sandboxId, Instant firstSeenAt) {

    boolean sameGuest(String otherNode, int otherVmid, String otherSandboxId) {
        return node.equals(otherNode) && vmid == otherVmid && java.util.Objects.equals(sandboxId, otherSandboxId);
    }
}
