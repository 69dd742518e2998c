package io.sandplane.reaper.decision;

import io.sandplane.model.lifecycle.SandboxStatus;
import java.time.Instant;

/**
 * An ALLOCATED VMID together with what its sandbox row says now.
 *
 * @param ownerStatus the status of the sandbox named by the allocation, null if there is no such row
 * @param ownerVmid   that row's VMID, if any
 */
public record VmidHolding(
        long allocationId,
        String cluster,
        int vmid,
        String sandboxId,
        Instant allocatedAt,
        SandboxStatus ownerStatus,
        Integer ownerVmid) {

    /** The owner still needs this VMID, or may (a start in flight has not recorded its VMID yet). */
    boolean owned() {
        if (ownerStatus == null || !ownerStatus.isLive()) {
            return false;
        }
        return ownerStatus == SandboxStatus.PROVISIONING || ownerVmid == null || ownerVmid == vmid;
    }
}
