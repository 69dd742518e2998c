package io.sandplane.provisioner.service;

import io.sandplane.model.problem.ProblemException;
import io.sandplane.provisioner.config.ProvisionerSettings;
import io.sandplane.provisioner.config.ProvisionerSettings.VmidRange;
import io.sandplane.provisioner.repository.VmidAllocationRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Hands out VMIDs from {@code PVE_VMID_RANGE}, unique per cluster, in PostgreSQL: PVE's
 * {@code nextid} reserves nothing, so two starts asking it at once would get the same id. The
 * search moves forward from a cursor and wraps at the end of the range, so a freed VMID is reused
 * only after the whole range has gone round (an old URL never reaches a new tenant's sandbox soon).
 * The cursor row lock serialises allocations; each one is a single short transaction.
 */
@ApplicationScoped
public class VmidAllocator {

    /** How many VMIDs one look-up examines. */
    private static final int WINDOW = 512;

    private final VmidAllocationRepository allocations;
    private final String cluster;
    private final VmidRange range;

    public VmidAllocator(VmidAllocationRepository allocations, ProvisionerSettings settings) {
        this.allocations = allocations;
        this.cluster = settings.cluster();
        this.range = settings.vmidRange();
    }

    /** Allocates the next free VMID for a sandbox, committed on return. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int allocate(String sandboxId) {
        return allocateIn(cluster, range, sandboxId);
    }

    /** For tests: allocation in another cluster and range. Needs a transaction. */
    int allocateIn(String cluster, VmidRange range, String sandboxId) {
        int cursor = allocations.lockCursor(cluster, range.min());
        if (!range.contains(cursor)) {
            cursor = range.min();
        }
        Instant now = Instant.now();
        int examined = 0;
        int candidate = cursor;
        while (examined < range.size()) {
            int windowEnd = (int) Math.min((long) candidate + WINDOW - 1, range.max());
            List<Integer> taken = allocations.allocatedBetween(cluster, candidate, windowEnd);
            int index = 0;
            for (int vmid = candidate; vmid <= windowEnd && examined < range.size(); vmid++, examined++) {
                if (index < taken.size() && taken.get(index) == vmid) {
                    index++;
                    continue;
                }
                if (allocations.claim(cluster, vmid, sandboxId, now)) {
                    allocations.moveCursor(cluster, vmid == range.max() ? range.min() : vmid + 1);
                    return vmid;
                }
            }
            candidate = windowEnd == range.max() ? range.min() : windowEnd + 1;
        }
        throw ProblemException.unavailable("every VMID in " + range + " of cluster '" + cluster
                + "' is allocated; widen PVE_VMID_RANGE or delete sandboxes", 60);
    }

    /** Gives a VMID back (it is reused only after the cursor has gone round the range). */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void release(String sandboxId, int vmid) {
        allocations.release(cluster, sandboxId, Optional.of(vmid), Instant.now());
    }

    /** Gives back every VMID a sandbox holds; returns how many. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int releaseAll(String sandboxId) {
        return allocations.release(cluster, sandboxId, Optional.empty(), Instant.now());
    }

    /** The VMIDs a sandbox holds. */
    @Transactional
    public List<Integer> heldBy(String sandboxId) {
        return allocations.allocatedTo(cluster, sandboxId).stream().map(a -> a.vmid).toList();
    }

    public String cluster() {
        return cluster;
    }
}
