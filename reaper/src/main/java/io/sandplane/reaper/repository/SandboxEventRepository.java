package io.sandplane.reaper.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import io.sandplane.model.entity.SandboxEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

@ApplicationScoped
public class SandboxEventRepository implements PanacheRepository<SandboxEvent> {

    public Optional<SandboxEvent> latest(String sandboxId) {
        return find("sandboxId = ?1 order by id desc", sandboxId).firstResultOptional();
    }
}
