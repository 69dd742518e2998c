package io.sandplane.sandboxapi.support;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.sandplane.model.Secrets;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.entity.SandboxEvents;
import io.sandplane.model.entity.SandboxService;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.lifecycle.TtlAction;
import io.sandplane.model.provider.Provider;
import io.sandplane.model.service.AuthMode;
import io.sandplane.model.service.ServicePort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Writes rows the way the other services do (the provisioner moves a sandbox through its states and
 * records steps, the url-router stores service URLs), for states a test needs without a hypervisor.
 */
@ApplicationScoped
public class SandboxRows {

    private final EntityManager em;

    public SandboxRows(EntityManager em) {
        this.em = em;
    }

    public String insert(UUID teamId, SandboxStatus status) {
        return insert(teamId, status, Map.of());
    }

    public String insert(UUID teamId, SandboxStatus status, Map<String, String> metadata) {
        return insert(teamId, status, metadata, Instant.now());
    }

    /** A sandbox started (admitted) at {@code createdAt}: it counts against the hourly limit until an hour later. */
    public String insertStartedAt(UUID teamId, SandboxStatus status, Instant createdAt) {
        return insert(teamId, status, Map.of(), createdAt);
    }

    private String insert(UUID teamId, SandboxStatus status, Map<String, String> metadata, Instant createdAt) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Instant now = createdAt.truncatedTo(ChronoUnit.MICROS);
            Sandbox s = new Sandbox();
            s.id = SandboxIds.newId();
            s.teamId = teamId;
            s.provider = Provider.PVE_LXC;
            s.snapshotId = "snapshot_std4c8g1";
            s.presetId = "4vcpu_8gb_32gb";
            s.templateVersion = 1;
            s.status = status;
            s.ttlSeconds = 3600;
            s.ttlAction = TtlAction.PAUSE;
            s.expiresAt = now.plusSeconds(3600);
            s.metadata = new HashMap<>(metadata);
            s.createdAt = now;
            s.updatedAt = now;
            s.statusChangedAt = now;
            s.accessTokenHash = Secrets.sha256Hex(accessToken(s.id));
            if (status != SandboxStatus.PROVISIONING && status != SandboxStatus.FAILED) {
                s.vmid = 100_000 + (int) (Math.random() * 800_000);
                s.node = "pve1";
                s.step = ProvisionStep.EXECD_HEALTHY;
            }
            em.persist(s);
            return s.id;
        });
    }

    /** The access token a row inserted here was given (known to tests only; the API would show it once). */
    public static String accessToken(String sandboxId) {
        return "sbt_rows-" + sandboxId;
    }

    /** The default services with public proxy URLs, as the url-router stores them. */
    public void exposeDefaults(String sandboxId, int vmid) {
        QuarkusTransaction.requiringNew().run(() -> {
            for (ServicePort p : ServicePort.DEFAULTS) {
                SandboxService svc = new SandboxService();
                svc.sandboxId = sandboxId;
                svc.name = p.serviceName();
                svc.port = p.port();
                svc.authMode = AuthMode.TOKEN;
                svc.url = "http://port-" + p.port() + "-vm-" + vmid + ".sandplane.localhost:8088";
                svc.createdAt = Instant.now();
                em.persist(svc);
            }
        });
    }

    public int vmid(String sandboxId) {
        return QuarkusTransaction.requiringNew().call(() -> em.find(Sandbox.class, sandboxId).vmid);
    }

    public Sandbox find(String sandboxId) {
        return QuarkusTransaction.requiringNew().call(() -> em.find(Sandbox.class, sandboxId));
    }

    public long count(UUID teamId) {
        return QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                "select count(s) from Sandbox s where s.teamId = :t", Long.class).setParameter("t", teamId).getSingleResult());
    }

    /** A provisioning step, as the provisioner records it. */
    public long step(String sandboxId, ProvisionStep step) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Sandbox s = em.find(Sandbox.class, sandboxId);
            SandboxEvent e = SandboxEvents.step(s, step, SandboxEvents.PROVISIONER, step.name().toLowerCase(), Instant.now());
            em.persist(e);
            return e.id;
        });
    }

    /** A status change, as the provisioner or reaper records it. */
    public long transition(String sandboxId, SandboxStatus to) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Sandbox s = em.find(Sandbox.class, sandboxId);
            SandboxEvent e = SandboxEvents.transition(s, to, SandboxEvents.PROVISIONER, null, Instant.now());
            em.persist(e);
            return e.id;
        });
    }
}
