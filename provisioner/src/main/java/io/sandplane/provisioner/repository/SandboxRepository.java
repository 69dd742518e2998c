package io.sandplane.provisioner.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.lifecycle.SandboxStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class SandboxRepository implements PanacheRepositoryBase<Sandbox, String> {

    /** What a start needs besides the row: its team's slug, and whether it already holds a VMID in the cluster. */
    public record StartFacts(String teamSlug, boolean holdsVmid) {
    }

    /** One query for {@link StartFacts}; empty if the row or its team is missing. */
    public java.util.Optional<StartFacts> startFacts(String sandboxId, String cluster) {
        List<?> rows = getEntityManager().createNativeQuery("""
                select t.slug, exists(select 1 from vmid_allocations a
                                      where a.cluster = ?2 and a.sandbox_id = s.id and a.state = 'ALLOCATED')
                from sandboxes s join teams t on t.id = s.team_id
                where s.id = ?1""")
                .setParameter(1, sandboxId).setParameter(2, cluster).getResultList();
        if (rows.isEmpty()) {
            return java.util.Optional.empty();
        }
        Object[] row = (Object[]) rows.getFirst();
        return java.util.Optional.of(new StartFacts((String) row[0], (Boolean) row[1]));
    }

    /** Rows that may own a guest at this VMID (any live status). */
    public List<Sandbox> liveOwnersOf(int vmid) {
        return list("vmid = ?1 and status in ?2", vmid,
                List.of(SandboxStatus.values()).stream().filter(SandboxStatus::isLive).toList());
    }
}
