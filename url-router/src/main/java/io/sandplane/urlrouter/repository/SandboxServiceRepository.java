package io.sandplane.urlrouter.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import io.sandplane.model.entity.SandboxService;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

@ApplicationScoped
public class SandboxServiceRepository implements PanacheRepository<SandboxService> {

    public List<SandboxService> listFor(String sandboxId) {
        return list("sandboxId = ?1 order by port", sandboxId);
    }

    public Optional<SandboxService> findByName(String sandboxId, String name) {
        return find("sandboxId = ?1 and name = ?2", sandboxId, name).firstResultOptional();
    }

    public Optional<SandboxService> findByPort(String sandboxId, int port) {
        return find("sandboxId = ?1 and port = ?2", sandboxId, port).firstResultOptional();
    }

    public long deleteByName(String sandboxId, String name) {
        return delete("sandboxId = ?1 and name = ?2", sandboxId, name);
    }
}
