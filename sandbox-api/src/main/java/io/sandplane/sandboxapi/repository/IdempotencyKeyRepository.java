package io.sandplane.sandboxapi.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.IdempotencyKey;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Timestamp;
import java.time.Instant;

@ApplicationScoped
public class IdempotencyKeyRepository implements PanacheRepositoryBase<IdempotencyKey, Long> {

    /**
     * Deletes up to {@code batch} keys that expired at or before {@code now}. Rows another transaction
     * holds (a purge on another replica, an admission replacing an expired key) are skipped, not
     * waited for, so replicas purging at the same moment neither block nor delete a row twice.
     */
    public int deleteExpired(Instant now, int batch) {
        return getEntityManager().createNativeQuery("""
                delete from idempotency_keys where id in (
                    select id from idempotency_keys where expires_at <= :now
                    order by expires_at limit :batch for update skip locked)""")
                .setParameter("now", Timestamp.from(now)).setParameter("batch", batch).executeUpdate();
    }

    public long deleteForSandbox(String sandboxId) {
        return delete("sandboxId", sandboxId);
    }
}
