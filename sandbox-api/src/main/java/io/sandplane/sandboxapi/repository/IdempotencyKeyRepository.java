package io.sandplane.sandboxapi.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.IdempotencyKey;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class IdempotencyKeyRepository implements PanacheRepositoryBase<IdempotencyKey, Long> {

    public Optional<IdempotencyKey> find(UUID teamId, String key) {
        return find("teamId = ?1 and key = ?2", teamId, key).firstResultOptional();
    }

    public long deleteForSandbox(String sandboxId) {
        return delete("sandboxId", sandboxId);
    }
}
