package io.sandplane.reaper.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.lifecycle.TtlAction;
import io.sandplane.reaper.decision.SandboxRow;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Sandbox rows as the rules read them: only the columns they need, without loading entities. */
@ApplicationScoped
public class SandboxRowRepository implements PanacheRepositoryBase<Sandbox, String> {

    static final Set<SandboxStatus> LIVE = EnumSet.copyOf(
            EnumSet.allOf(SandboxStatus.class).stream().filter(SandboxStatus::isLive).toList());

    private static final String COLUMNS = "select s.id, s.status, s.step, s.vmid, s.node, s.ttlAction, s.expiresAt,"
            + " s.idleTimeoutSeconds, s.lastActivityAt, s.statusChangedAt, s.updatedAt from Sandbox s ";
    private static final int CHUNK = 1000;

    /** Every live row (PROVISIONING, RUNNING, PAUSED, STOPPED, DELETING). */
    public List<SandboxRow> live() {
        return getEntityManager().createQuery(COLUMNS + "where s.status in :live", Object[].class)
                .setParameter("live", LIVE)
                .getResultStream().map(SandboxRowRepository::row).toList();
    }

    public Optional<SandboxRow> row(String id) {
        return getEntityManager().createQuery(COLUMNS + "where s.id = :id", Object[].class)
                .setParameter("id", id)
                .getResultStream().findFirst().map(SandboxRowRepository::row);
    }

    /** Rows of any status with one of these ids, and live rows with one of these VMIDs. */
    public List<SandboxRow> named(Collection<String> ids, Collection<Integer> vmids) {
        List<SandboxRow> rows = new ArrayList<>();
        for (List<String> chunk : chunks(List.copyOf(ids))) {
            getEntityManager().createQuery(COLUMNS + "where s.id in :ids", Object[].class)
                    .setParameter("ids", chunk)
                    .getResultStream().map(SandboxRowRepository::row).forEach(rows::add);
        }
        for (List<Integer> chunk : chunks(List.copyOf(vmids))) {
            getEntityManager().createQuery(COLUMNS + "where s.vmid in :vmids and s.status in :live", Object[].class)
                    .setParameter("vmids", chunk)
                    .setParameter("live", LIVE)
                    .getResultStream().map(SandboxRowRepository::row).forEach(rows::add);
        }
        return rows;
    }

    /** Rows that could own the guest at {@code vmid} tagged {@code sandboxTag}: any with that id, live ones with that VMID. */
    public List<SandboxRow> ownersOf(int vmid, String sandboxTag) {
        return named(sandboxTag == null ? List.of() : List.of(sandboxTag), List.of(vmid));
    }

    private static <T> List<List<T>> chunks(List<T> all) {
        List<List<T>> chunks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += CHUNK) {
            chunks.add(all.subList(i, Math.min(all.size(), i + CHUNK)));
        }
        return chunks;
    }

    private static SandboxRow row(Object[] c) {
        return new SandboxRow((String) c[0], (SandboxStatus) c[1], (ProvisionStep) c[2], (Integer) c[3], (String) c[4],
                (TtlAction) c[5], (Instant) c[6], (Integer) c[7], (Instant) c[8], (Instant) c[9], (Instant) c[10]);
    }
}
