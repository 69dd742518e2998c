package io.sandplane.urlrouter.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.Lease;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

@ApplicationScoped
public class LeaseRepository implements PanacheRepositoryBase<Lease, String> {

    /**
     * Takes the lease if nobody holds it or the holder's time ran out; one statement, so two
     * replicas racing for it cannot both win.
     */
    public boolean tryAcquire(String name, String holder, Instant now, Instant expiresAt) {
        int rows = getEntityManager().createNativeQuery("""
                insert into leases (name, holder, acquired_at, expires_at) values (?1, ?2, ?3, ?4)
                on conflict (name) do update set holder = excluded.holder, acquired_at = excluded.acquired_at,
                    expires_at = excluded.expires_at
                where leases.expires_at < excluded.acquired_at or leases.holder = excluded.holder
                """)
                .setParameter(1, name).setParameter(2, holder).setParameter(3, now).setParameter(4, expiresAt)
                .executeUpdate();
        return rows == 1;
    }

    public void release(String name, String holder) {
        delete("name = ?1 and holder = ?2", name, holder);
    }
}
