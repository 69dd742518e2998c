package io.sandplane.urlrouter.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.entity.SandboxEvents;
import io.sandplane.model.internal.InternalCallException;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.urlrouter.client.Provisioner;
import io.sandplane.urlrouter.config.RouterConfig;
import io.sandplane.urlrouter.repository.LeaseRepository;
import io.sandplane.urlrouter.repository.SandboxEventRepository;
import io.sandplane.urlrouter.repository.SandboxRepository;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Wake-on-HTTP: resumes a paused or stopped sandbox once, however many requests are waiting for it.
 * Within a replica, concurrent requests share one wake; across replicas, a lease row
 * ({@code wake:<sandbox id>}) lets one replica send the resume while the others watch the row
 * until it is RUNNING. The lease expires with the wake timeout, so a replica that died mid-wake
 * does not block the next one.
 */
@ApplicationScoped
public class WakeCoordinator {

    private static final Logger LOG = Logger.getLogger(WakeCoordinator.class);

    private final Provisioner provisioner;
    private final SandboxRepository sandboxes;
    private final LeaseRepository leases;
    private final SandboxEventRepository events;
    private final Duration timeout;
    private final Duration pollInterval;
    private final String holder = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

    public WakeCoordinator(Provisioner provisioner, SandboxRepository sandboxes, LeaseRepository leases,
            SandboxEventRepository events, RouterConfig config) {
        this.provisioner = provisioner;
        this.sandboxes = sandboxes;
        this.leases = leases;
        this.events = events;
        this.timeout = config.wake().timeout();
        this.pollInterval = config.wake().pollInterval();
    }

    /** Completes when the sandbox is RUNNING; fails with {@link WakeFailed} otherwise. Never blocks. */
    public CompletableFuture<Void> wake(String sandboxId) {
        return inFlight.computeIfAbsent(sandboxId, id -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            workers.execute(() -> {
                try {
                    awaitRunning(id, Instant.now().plus(timeout));
                    done.complete(null);
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                } finally {
                    inFlight.remove(id, done);
                }
            });
            return done;
        });
    }

    private void awaitRunning(String sandboxId, Instant deadline) {
        String lease = "wake:" + sandboxId;
        while (true) {
            Optional<SandboxStatus> status = QuarkusTransaction.requiringNew().call(() -> sandboxes.statusOf(sandboxId));
            if (status.isEmpty()) {
                throw new WakeFailed("the sandbox no longer exists", false);
            }
            switch (status.get()) {
                case RUNNING -> {
                    return;
                }
                case PAUSED, STOPPED -> {
                    if (QuarkusTransaction.requiringNew().call(() -> leases.tryAcquire(lease, holder, Instant.now(), deadline))) {
                        try {
                            // Read again under the lease: another replica may have resumed the sandbox and
                            // released the lease between the read above and this acquisition.
                            if (isAsleep(QuarkusTransaction.requiringNew().call(() -> sandboxes.statusOf(sandboxId)))) {
                                resume(sandboxId);
                                return;
                            }
                        } finally {
                            QuarkusTransaction.requiringNew().run(() -> leases.release(lease, holder));
                        }
                        continue;
                    }
                }
                // Another replica's resume is under way (the provisioner moves the row when the guest is up).
                case PROVISIONING -> {
                }
                case DELETING, DELETED, FAILED, LOST -> throw new WakeFailed("the sandbox is " + status.get(), false);
            }
            if (Instant.now().plus(pollInterval).isAfter(deadline)) {
                throw new WakeFailed("the sandbox did not wake within " + timeout.toSeconds() + " s", true);
            }
            try {
                Thread.sleep(pollInterval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WakeFailed("interrupted", true);
            }
        }
    }

    private static boolean isAsleep(Optional<SandboxStatus> status) {
        return status.filter(s -> s == SandboxStatus.PAUSED || s == SandboxStatus.STOPPED).isPresent();
    }

    private void resume(String sandboxId) {
        QuarkusTransaction.requiringNew().run(() -> events.persist(SandboxEvents.action(sandboxId, SandboxEvents.URL_ROUTER,
                "resume requested: an HTTP request arrived for a paused sandbox with wakeOnHttp", Instant.now())));
        SandboxState state;
        try {
            state = provisioner.resume(sandboxId);
        } catch (InternalCallException.Refused e) {
            throw new WakeFailed("the provisioner refused to resume it (HTTP " + e.status() + ")", false);
        } catch (InternalCallException.Failed e) {
            LOG.warnf("waking %s failed: %s", sandboxId, e.getMessage());
            throw new WakeFailed("the provisioner failed to resume it", true);
        } catch (RuntimeException e) {
            LOG.warnf("waking %s failed: %s", sandboxId, e.getMessage());
            throw new WakeFailed("the provisioner could not be reached to resume it", true);
        }
        if (state.status() != SandboxStatus.RUNNING) {
            throw new WakeFailed("the provisioner left it " + state.status(), false);
        }
    }

    /**
     * @param retryable whether trying again later may succeed (timeouts, an unreachable provisioner)
     */
    public static final class WakeFailed extends RuntimeException {
        private final boolean retryable;

        public WakeFailed(String message, boolean retryable) {
            super(message, null, false, false);
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }

    @PreDestroy
    void close() {
        workers.shutdownNow();
    }
}
