package io.sandplane.urlrouter.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.lifecycle.SandboxStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

@ApplicationScoped
public class SandboxRepository implements PanacheRepositoryBase<Sandbox, String> {

    /** Statuses in which a guest may exist; a VMID is held by at most one sandbox in them. */
    static final List<SandboxStatus> LIVE = Arrays.stream(SandboxStatus.values()).filter(SandboxStatus::isLive).toList();

    /** The live sandbox holding a VMID (VMIDs are reused after a sandbox is gone, so older rows may share it). */
    public Optional<Sandbox> findLiveByVmid(int vmid) {
        return find("vmid = ?1 and status in ?2 order by createdAt desc", vmid, LIVE).firstResultOptional();
    }

    public Optional<SandboxStatus> statusOf(String id) {
        return find("select s.status from Sandbox s where s.id = ?1", id).project(SandboxStatus.class).firstResultOptional();
    }

    /**
     * Records activity without touching {@code version}: activity must never make another service's
     * optimistic update of the row fail. The condition keeps replicas from writing more often than
     * the interval between them.
     */
    public int recordActivity(String id, Instant at, Instant notAfter) {
        return update("lastActivityAt = ?1 where id = ?2 and (lastActivityAt is null or lastActivityAt < ?3)", at, id, notAfter);
    }
}
