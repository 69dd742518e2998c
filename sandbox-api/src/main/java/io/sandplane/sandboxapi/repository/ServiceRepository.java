package io.sandplane.sandboxapi.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.SandboxService;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.jpa.HibernateHints;
import java.util.List;

/** The services the url-router stored for a sandbox; read here only to show their URLs. */
@ApplicationScoped
public class ServiceRepository implements PanacheRepositoryBase<SandboxService, Long> {

    public List<SandboxService> forSandbox(String sandboxId) {
        // Read-only: nothing to dirty-check when the transaction ends.
        return find("sandboxId = ?1 order by port", sandboxId).withHint(HibernateHints.HINT_READ_ONLY, true).list();
    }

    public List<SandboxService> forSandboxes(List<String> sandboxIds) {
        return sandboxIds.isEmpty() ? List.of() : list("sandboxId in ?1 order by sandboxId, port", sandboxIds);
    }
}
