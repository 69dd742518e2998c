package io.sandplane.urlrouter.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import io.sandplane.model.entity.SandboxEvent;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class SandboxEventRepository implements PanacheRepository<SandboxEvent> {

    /**
     * Persists {@code event} unless its sandbox already has an event of the same type, actor and detail: what
     * is reported once, however many replicas and restarts see it. True if it was persisted.
     */
    public boolean persistOnce(SandboxEvent event) {
        if (count("sandboxId = ?1 and type = ?2 and actor = ?3 and detail = ?4", event.sandboxId, event.type, event.actor,
                event.detail) > 0) {
            return false;
        }
        persist(event);
        return true;
    }
}
