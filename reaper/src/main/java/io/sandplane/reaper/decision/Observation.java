package io.sandplane.reaper.decision;

import io.sandplane.model.api.GuestInventory;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything one pass saw, in the order it was read. The live rows are read before the guest list,
 * so a guest listed for a sandbox that existed at the first read is in the list; anything created
 * later looks unowned and is protected by the grace period, and by {@code rowsNamedByGuests}.
 *
 * @param rows              live rows (PROVISIONING, RUNNING, PAUSED, STOPPED, DELETING), read first
 * @param inventory         the managed guests, one list per node, read second
 * @param rowsNamedByGuests rows of any status read after the guest list, for guests that no row of
 *                          the first read owns: by their sandbox tag and by their VMID
 * @param sightings         guests already seen without an owner
 * @param vmidHoldings      ALLOCATED VMIDs whose row may no longer need them
 * @param templateVmids     VMIDs of catalog templates, which are never deleted
 * @param backingOff        targets whose last attempt failed and that wait before the next one
 */
public record Observation(
        List<SandboxRow> rows,
        GuestInventory inventory,
        List<SandboxRow> rowsNamedByGuests,
        List<OrphanSighting> sightings,
        List<VmidHolding> vmidHoldings,
        Set<Integer> templateVmids,
        Set<String> backingOff) {

    public Observation {
        Objects.requireNonNull(rows);
        Objects.requireNonNull(inventory);
        Objects.requireNonNull(rowsNamedByGuests);
        Objects.requireNonNull(sightings);
        Objects.requireNonNull(vmidHoldings);
        Objects.requireNonNull(templateVmids);
        Objects.requireNonNull(backingOff);
    }
}
