package io.sandplane.sandboxapi.support;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.sandplane.model.entity.IdempotencyKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** Idempotency-Key rows of a team, written and read directly, for expiry tests. */
@ApplicationScoped
public class IdempotencyRows {

    private final EntityManager em;

    public IdempotencyRows(EntityManager em) {
        this.em = em;
    }

    /** {@code count} keys named {@code prefix-0 …} that expire at {@code expiresAt}, in one transaction. */
    public void insert(UUID teamId, String prefix, int count, Instant expiresAt) {
        QuarkusTransaction.requiringNew().run(() -> {
            for (int i = 0; i < count; i++) {
                IdempotencyKey k = new IdempotencyKey();
                k.teamId = teamId;
                k.key = prefix + "-" + i;
                k.requestHash = "0".repeat(64);
                k.createdAt = expiresAt.minus(1, ChronoUnit.DAYS);
                k.expiresAt = expiresAt;
                em.persist(k);
            }
        });
    }

    /** Keys of every team expired at {@code now}. */
    public long expired(Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                "select count(k) from IdempotencyKey k where k.expiresAt <= :now", Long.class)
                .setParameter("now", now).getSingleResult());
    }

    /**
     * Locks the team's keys named {@code prefix-…} in a transaction of another thread, as a purge on
     * another replica would, until {@code release} counts down; {@code locked} counts down once they are held.
     */
    public Thread hold(UUID teamId, String prefix, java.util.concurrent.CountDownLatch locked,
            java.util.concurrent.CountDownLatch release) {
        return Thread.ofPlatform().start(() -> QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("select id from idempotency_keys where team_id = :t and idem_key like :p for update")
                    .setParameter("t", teamId).setParameter("p", prefix + "-%").getResultList();
            locked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
    }

    /** The team's keys, by name. */
    public List<String> keys(UUID teamId) {
        return QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                "select k.key from IdempotencyKey k where k.teamId = :t order by k.key", String.class)
                .setParameter("t", teamId).getResultList());
    }
}
