package io.sandplane.provisioner.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.entity.SandboxEvents;
import io.sandplane.model.entity.SandboxService;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.model.service.AuthMode;
import io.sandplane.model.service.GuestAddress;
import io.sandplane.model.service.PublicDomain;
import io.sandplane.model.service.ServicePort;
import io.sandplane.model.service.ServiceUrls;
import io.sandplane.provisioner.config.ProvisionerSettings;
import io.sandplane.provisioner.provider.GuestRef;
import io.sandplane.provisioner.provider.StartSpec.TemplateCopy;
import io.sandplane.provisioner.repository.SandboxEventRepository;
import io.sandplane.provisioner.repository.SandboxRepository;
import io.sandplane.provisioner.repository.SandboxServiceRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.OptimisticLockException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.hibernate.StaleStateException;

/**
 * Every write the provisioner makes to a sandbox row: each is one short transaction that changes the
 * row and appends its event(s), so the row's step and the event stream always agree. Transitions go
 * through {@link SandboxEvents} (the state machine). A concurrent writer (optimistic version) makes a
 * write re-read the row and apply again.
 */
@ApplicationScoped
public class SandboxRecorder {

    private static final int ATTEMPTS = 5;
    /** {@code sandboxes.error} is text, but an error message longer than this is noise. */
    private static final int MAX_ERROR = 4000;

    private final SandboxRepository sandboxes;
    private final SandboxEventRepository events;
    private final SandboxServiceRepository services;
    private final Optional<PublicDomain> publicDomain;

    public SandboxRecorder(SandboxRepository sandboxes, SandboxEventRepository events, SandboxServiceRepository services,
            ProvisionerSettings settings) {
        this.sandboxes = sandboxes;
        this.events = events;
        this.services = services;
        this.publicDomain = settings.publicDomain();
    }

    /** The row, detached; 404 if there is none. */
    public Sandbox load(String id) {
        return QuarkusTransaction.joiningExisting().call(() -> find(id));
    }

    public SandboxState state(String id) {
        return state(load(id));
    }

    public static SandboxState state(Sandbox row) {
        return new SandboxState(row.id, row.status, row.step, row.vmid, row.node, row.ip, row.fqdn, row.error);
    }

    /** A change to a sandbox row and the events that record it, applied inside a write transaction. */
    @FunctionalInterface
    public interface Change {
        List<SandboxEvent> apply(Sandbox row);
    }

    /** A provisioning step completed at {@code at}: what is known about the guest, the step, its event. */
    public static Change step(ProvisionStep step, GuestRef guest, String detail, Instant at) {
        return row -> {
            apply(row, guest);
            return List.of(SandboxEvents.step(row, step, SandboxEvents.PROVISIONER, detail, at));
        };
    }

    /** The template copy and node are chosen; recorded before the clone is sent. */
    public static Change placed(GuestRef guest, TemplateCopy template, String presetId, Integer version, Instant at) {
        return row -> {
            apply(row, guest);
            row.templateNode = template.node();
            row.templateVmid = template.vmid();
            if (row.presetId == null) {
                row.presetId = presetId;
            }
            if (row.templateVersion == null) {
                row.templateVersion = version;
            }
            row.updatedAt = at;
            return List.of(SandboxEvents.action(row.id, SandboxEvents.PROVISIONER,
                    "cloning template " + template + " to VMID " + guest.vmid(), at));
        };
    }

    /** Several changes, in order, in one transaction. */
    public Sandbox apply(String id, List<Change> changes) {
        return update(id, row -> {
            List<SandboxEvent> written = new ArrayList<>();
            for (Change change : changes) {
                written.addAll(change.apply(row));
            }
            return written;
        });
    }

    /** Ready: address, default services with their URLs, status RUNNING. */
    public Sandbox running(String id, GuestRef guest, String detail) {
        return update(id, running(guest, detail));
    }

    /** The change that makes a started sandbox RUNNING (for a batch with its last steps). */
    public Change running(GuestRef guest, String detail) {
        return row -> {
            apply(row, guest);
            row.error = null;
            writeServices(row);
            return List.of(SandboxEvents.transition(row, SandboxStatus.RUNNING, SandboxEvents.PROVISIONER, detail,
                    Instant.now()));
        };
    }

    /** Back from a stop or pause, maybe at another address: URLs follow, activity counts from now. */
    public Sandbox resumed(String id, GuestRef guest) {
        return update(id, row -> {
            apply(row, guest);
            row.error = null;
            Instant now = Instant.now();
            row.lastActivityAt = now;
            writeServices(row);
            // A resume (an API call or a wake-on-HTTP) gives at least one whole TTL from now: otherwise a
            // sandbox paused at its TTL and woken by a request would be paused again at the next reaper pass.
            Instant renewed = now.plusSeconds(row.ttlSeconds);
            String reason = "resumed";
            if (row.expiresAt != null && row.expiresAt.isBefore(renewed)) {
                row.expiresAt = renewed;
                reason = "resumed; expires at " + renewed;
            }
            return List.of(SandboxEvents.transition(row, SandboxStatus.RUNNING, SandboxEvents.PROVISIONER, reason, now));
        });
    }

    /** The start failed and everything it created is gone. */
    public Sandbox failed(String id, String error) {
        return update(id, row -> {
            Instant now = Instant.now();
            row.error = clip(error);
            List<SandboxEvent> out = new ArrayList<>();
            out.add(SandboxEvents.error(id, SandboxEvents.PROVISIONER, row.error, now));
            out.add(SandboxEvents.transition(row, SandboxStatus.FAILED, SandboxEvents.PROVISIONER, row.error, now));
            return out;
        });
    }

    /** An operation failed without changing the status (e.g. a clean-up that must be retried). */
    public Sandbox error(String id, String error) {
        return update(id, row -> {
            Instant now = Instant.now();
            row.error = clip(error);
            row.updatedAt = now;
            return List.of(SandboxEvents.error(id, SandboxEvents.PROVISIONER, row.error, now));
        });
    }

    public Sandbox transition(String id, SandboxStatus to, String detail) {
        return update(id, row -> {
            Instant now = Instant.now();
            if (to == SandboxStatus.DELETED) {
                services.deleteForSandbox(id);
            }
            switch (to) {
                case RUNNING, PAUSED, STOPPED -> row.error = null;
                case LOST -> row.error = clip(detail);
                case PROVISIONING, DELETING, DELETED, FAILED -> {
                    // the error of what came before stays readable
                }
            }
            return List.of(SandboxEvents.transition(row, to, SandboxEvents.PROVISIONER, detail, now));
        });
    }

    /** Applies a change in its own transaction, re-reading and re-applying on a concurrent update. */
    Sandbox update(String id, Change change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return QuarkusTransaction.requiringNew().call(() -> {
                    Sandbox row = find(id);
                    List<SandboxEvent> written = change.apply(row);
                    written.forEach(events::persist);
                    sandboxes.flush();
                    return row;
                });
            } catch (RuntimeException e) {
                if (attempt >= ATTEMPTS || !isConcurrentUpdate(e)) {
                    throw e;
                }
            }
        }
    }

    private Sandbox find(String id) {
        Sandbox row = sandboxes.findById(id);
        if (row == null) {
            throw ProblemException.notFound("no sandbox " + id);
        }
        return row;
    }

    private static void apply(Sandbox row, GuestRef guest) {
        if (guest.vmid() != null) {
            row.vmid = guest.vmid();
        }
        if (guest.node() != null) {
            row.node = guest.node();
        }
        if (guest.hostname() != null) {
            row.hostname = guest.hostname();
        }
        if (guest.ip() != null) {
            row.ip = guest.ip();
        }
        if (guest.fqdn() != null || guest.ip() != null) {
            row.fqdn = guest.fqdn();
        }
    }

    /** The default services on a new sandbox, and fresh URLs for every service of a resumed one. */
    private void writeServices(Sandbox row) {
        GuestAddress address = new GuestAddress(row.vmid, row.hostname, searchDomain(row), row.ip);
        Map<Integer, SandboxService> existing = services.forSandbox(row.id).stream()
                .collect(Collectors.toMap(s -> s.port, s -> s));
        Instant now = Instant.now();
        List<SandboxService> added = new ArrayList<>();
        for (ServicePort port : ServicePort.DEFAULTS) {
            if (!existing.containsKey(port.port())) {
                SandboxService service = new SandboxService();
                service.sandboxId = row.id;
                service.name = port.serviceName();
                service.port = port.port();
                service.authMode = AuthMode.TOKEN;
                service.url = url(address, port.port());
                service.createdAt = now;
                added.add(service);
            }
        }
        services.insertAll(added);
        for (SandboxService service : existing.values()) {
            service.url = url(address, service.port);
        }
    }

    private String url(GuestAddress address, int port) {
        return ServiceUrls.build(publicDomain, address, port).orElseThrow(() -> new IllegalStateException(
                "no URL can be built for VMID " + address.vmid() + ": no public domain, FQDN or IP"));
    }

    private static String searchDomain(Sandbox row) {
        if (row.fqdn != null && row.hostname != null && row.fqdn.startsWith(row.hostname + ".")) {
            return row.fqdn.substring(row.hostname.length() + 1);
        }
        return null;
    }

    private static String clip(String error) {
        return error == null || error.length() <= MAX_ERROR ? error : error.substring(0, MAX_ERROR) + "…";
    }

    private static boolean isConcurrentUpdate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OptimisticLockException || t instanceof StaleStateException) {
                return true;
            }
        }
        return false;
    }
}
