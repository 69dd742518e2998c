package io.sandplane.sandboxapi.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.sandplane.sandboxapi.config.ApiConfig;
import io.sandplane.sandboxapi.repository.IdempotencyKeyRepository;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Deletes expired Idempotency-Keys on a schedule, on every replica. Each batch is its own short
 * transaction that skips rows other transactions hold, so replicas running it at the same moment
 * share the work instead of waiting for each other, and an admission reusing an expired key is never
 * blocked. Until a purge runs, an expired key is simply ignored by admission.
 */
@ApplicationScoped
public class IdempotencyKeyPurge {

    private static final Logger LOG = Logger.getLogger(IdempotencyKeyPurge.class);

    private final IdempotencyKeyRepository keys;
    private final int batchSize;

    public IdempotencyKeyPurge(IdempotencyKeyRepository keys, ApiConfig config) {
        this.keys = keys;
        this.batchSize = config.idempotency().purgeBatchSize();
    }

    @Scheduled(identity = "idempotency-key-purge", every = "${sandplane.api.idempotency.purge-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @RunOnVirtualThread
    void scheduled() {
        // A failure is logged by the scheduler and the next run tries again; expired keys cost only space meanwhile.
        int deleted = purge(Instant.now());
        if (deleted > 0) {
            LOG.debugf("purged %d expired Idempotency-Keys", deleted);
        }
    }

    /** Deletes every key expired at {@code now} that no other transaction holds; how many this call deleted. */
    public int purge(Instant now) {
        int total = 0;
        int deleted;
        do {
            deleted = QuarkusTransaction.requiringNew().call(() -> keys.deleteExpired(now, batchSize));
            total += deleted;
        } while (deleted == batchSize);
        return total;
    }
}
