package io.sandplane.provisioner.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.VmidAllocation;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * VMID reservations. The statements that race (cursor, claim) are native SQL so that the row lock
 * on {@code vmid_cursors} and the upsert on {@code (cluster, vmid)} do exactly what they say.
 */
@ApplicationScoped
public class VmidAllocationRepository implements PanacheRepositoryBase<VmidAllocation, Long> {

    /** Locks the cluster's cursor row (creating it at {@code initial}) and returns where the search starts. */
    public int lockCursor(String cluster, int initial) {
        getEntityManager().createNativeQuery(
                "insert into vmid_cursors (cluster, next_vmid) values (?1, ?2) on conflict (cluster) do nothing")
                .setParameter(1, cluster).setParameter(2, initial).executeUpdate();
        return ((Number) getEntityManager().createNativeQuery(
                "select next_vmid from vmid_cursors where cluster = ?1 for update")
                .setParameter(1, cluster).getSingleResult()).intValue();
    }

    public void moveCursor(String cluster, int next) {
        getEntityManager().createNativeQuery("update vmid_cursors set next_vmid = ?2 where cluster = ?1")
                .setParameter(1, cluster).setParameter(2, next).executeUpdate();
    }

    /** The allocated VMIDs in {@code [from, to]}, ascending. */
    @SuppressWarnings("unchecked")
    public List<Integer> allocatedBetween(String cluster, int from, int to) {
        List<Number> rows = getEntityManager().createNativeQuery(
                "select vmid from vmid_allocations where cluster = ?1 and state = 'ALLOCATED' and vmid between ?2 and ?3 "
                        + "order by vmid")
                .setParameter(1, cluster).setParameter(2, from).setParameter(3, to).getResultList();
        return rows.stream().map(Number::intValue).toList();
    }

    /** Claims a VMID for a sandbox unless it is allocated; a released row is taken over. */
    public boolean claim(String cluster, int vmid, String sandboxId, Instant now) {
        return getEntityManager().createNativeQuery("""
                insert into vmid_allocations (cluster, vmid, sandbox_id, state, allocated_at, released_at)
                values (?1, ?2, ?3, 'ALLOCATED', ?4, null)
                on conflict (cluster, vmid) do update
                    set sandbox_id = excluded.sandbox_id, state = 'ALLOCATED', allocated_at = excluded.allocated_at,
                        released_at = null
                    where vmid_allocations.state = 'RELEASED'
                """)
                .setParameter(1, cluster).setParameter(2, vmid).setParameter(3, sandboxId).setParameter(4, now)
                .executeUpdate() == 1;
    }

    /** Releases what a sandbox holds (all of it, or one VMID); returns how many rows changed. */
    public int release(String cluster, String sandboxId, Optional<Integer> vmid, Instant now) {
        return getEntityManager().createNativeQuery("""
                update vmid_allocations set state = 'RELEASED', released_at = ?3
                where cluster = ?1 and sandbox_id = ?2 and state = 'ALLOCATED' and (?4 = 0 or vmid = ?4)
                """)
                .setParameter(1, cluster).setParameter(2, sandboxId).setParameter(3, now)
                .setParameter(4, vmid.orElse(0)).executeUpdate();
    }

    public Optional<VmidAllocation> allocated(String cluster, int vmid) {
        return find("cluster = ?1 and vmid = ?2 and state = ?3", cluster, vmid, VmidAllocation.State.ALLOCATED)
                .firstResultOptional();
    }

    public List<VmidAllocation> allocatedTo(String cluster, String sandboxId) {
        return list("cluster = ?1 and sandboxId = ?2 and state = ?3", cluster, sandboxId, VmidAllocation.State.ALLOCATED);
    }
}
