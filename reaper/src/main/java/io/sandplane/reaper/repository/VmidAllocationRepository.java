package io.sandplane.reaper.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import io.sandplane.model.entity.VmidAllocation;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.reaper.decision.VmidHolding;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

@ApplicationScoped
public class VmidAllocationRepository implements PanacheRepository<VmidAllocation> {

    /**
     * ALLOCATED VMIDs whose sandbox may no longer need them: no row, a row that is not live, or a
     * settled row that records another VMID. The rules decide; this only narrows the read.
     */
    public List<VmidHolding> unowned() {
        return getEntityManager().createQuery("""
                select a.id, a.cluster, a.vmid, a.sandboxId, a.allocatedAt, s.status, s.vmid
                from VmidAllocation a left join Sandbox s on s.id = a.sandboxId
                where a.state = :allocated
                  and (s.id is null or s.status not in :live
                       or (s.status <> :provisioning and s.vmid is not null and s.vmid <> a.vmid))""", Object[].class)
                .setParameter("allocated", VmidAllocation.State.ALLOCATED)
                .setParameter("live", SandboxRowRepository.LIVE)
                .setParameter("provisioning", SandboxStatus.PROVISIONING)
                .getResultStream()
                .map(c -> new VmidHolding((Long) c[0], (String) c[1], (Integer) c[2], (String) c[3], (Instant) c[4],
                        (SandboxStatus) c[5], (Integer) c[6]))
                .toList();
    }

    /**
     * Releases the allocation if it is still ALLOCATED and its sandbox still does not need it
     * (checked in the same statement, so a start that took the row meanwhile keeps it).
     */
    public boolean releaseIfUnowned(long allocationId, Instant now) {
        return getEntityManager().createQuery("""
                update VmidAllocation a set a.state = :released, a.releasedAt = :now
                where a.id = :id and a.state = :allocated
                  and not exists (select 1 from Sandbox s where s.id = a.sandboxId and s.status in :live
                                  and (s.status = :provisioning or s.vmid is null or s.vmid = a.vmid))""")
                .setParameter("released", VmidAllocation.State.RELEASED)
                .setParameter("allocated", VmidAllocation.State.ALLOCATED)
                .setParameter("now", now)
                .setParameter("id", allocationId)
                .setParameter("live", SandboxRowRepository.LIVE)
                .setParameter("provisioning", SandboxStatus.PROVISIONING)
                .executeUpdate() == 1;
    }

    /** Releases every VMID held for the sandbox (it became LOST). */
    public int releaseFor(String sandboxId, Instant now) {
        return update("state = ?1, releasedAt = ?2 where sandboxId = ?3 and state = ?4",
                VmidAllocation.State.RELEASED, now, sandboxId, VmidAllocation.State.ALLOCATED);
    }
}
