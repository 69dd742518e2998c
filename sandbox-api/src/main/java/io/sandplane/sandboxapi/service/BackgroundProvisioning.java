package io.sandplane.sandboxapi.service;

import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvents;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.sandboxapi.client.ProvisionerClient;
import io.sandplane.sandboxapi.client.UpstreamException;
import io.sandplane.sandboxapi.repository.SandboxEventRepository;
import io.sandplane.sandboxapi.repository.SandboxRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.OptimisticLockException;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

/**
 * Starts of {@code wait=false}: the provisioner call runs on its own virtual thread, independent of
 * the HTTP request that answered 202. If this process dies first, the row is PROVISIONING with no
 * step and the reaper hands it to the provisioner's recover.
 */
@ApplicationScoped
public class BackgroundProvisioning {

    private static final Logger LOG = Logger.getLogger(BackgroundProvisioning.class);

    private final ProvisionerClient provisioner;
    private final SandboxRepository sandboxes;
    private final SandboxEventRepository events;
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("background-provision-", 0).factory());

    public BackgroundProvisioning(ProvisionerClient provisioner, SandboxRepository sandboxes, SandboxEventRepository events) {
        this.provisioner = provisioner;
        this.sandboxes = sandboxes;
        this.events = events;
    }

    public void provision(String sandboxId) {
        executor.execute(() -> run(sandboxId));
    }

    private void run(String sandboxId) {
        try {
            provisioner.provision(sandboxId);
        } catch (UpstreamException.Unreachable | CircuitBreakerOpenException e) {
            markFailed(sandboxId, "provisioner unreachable, nothing was created: " + e.getMessage());
        } catch (RuntimeException e) {
            // The provisioner may have done part of it; its recorded step lets the reaper finish or roll back.
            LOG.warnf("background start of %s ended with %s; the reaper will reconcile it", sandboxId, e.getMessage());
        }
    }

    private void markFailed(String sandboxId, String why) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                Sandbox s = sandboxes.findById(sandboxId);
                if (s == null || s.status != SandboxStatus.PROVISIONING || s.step != null) {
                    return;
                }
                Instant now = Instant.now();
                s.error = why;
                events.persist(SandboxEvents.transition(s, SandboxStatus.FAILED, SandboxEvents.SANDBOX_API, why, now));
                events.persist(SandboxEvents.error(s.id, SandboxEvents.SANDBOX_API, why, now));
            });
        } catch (OptimisticLockException | io.quarkus.narayana.jta.QuarkusTransactionException e) {
            LOG.infof("%s changed while marking it failed; leaving it to whoever changed it", sandboxId);
        }
    }

    @PreDestroy
    void shutdown() {
        executor.shutdownNow();
    }
}
