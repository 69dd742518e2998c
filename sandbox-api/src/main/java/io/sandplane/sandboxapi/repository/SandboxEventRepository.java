package io.sandplane.sandboxapi.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.SandboxEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class SandboxEventRepository implements PanacheRepositoryBase<SandboxEvent, Long> {

    /** Events in the order they were written (ids come from one sequence), after {@code afterId}. */
    public List<SandboxEvent> after(String sandboxId, long afterId, int limit) {
        return find("sandboxId = ?1 and id > ?2 order by id", sandboxId, afterId).range(0, limit - 1).list();
    }
}
