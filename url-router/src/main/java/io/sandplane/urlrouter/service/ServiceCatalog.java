package io.sandplane.urlrouter.service;

import io.sandplane.model.InvalidValueException;
import io.sandplane.model.api.ExposeServiceRequest;
import io.sandplane.model.api.ServiceView;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxService;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.model.service.AuthMode;
import io.sandplane.model.service.ServicePort;
import io.sandplane.model.service.ServiceUrls;
import io.sandplane.urlrouter.repository.SandboxRepository;
import io.sandplane.urlrouter.repository.SandboxServiceRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which ports of a sandbox the proxy serves: expose, hide, list. URLs are computed once, when a
 * service is exposed, and stored: what they are built from (public domain, search domain, IP) may
 * change later, and a URL handed out must keep meaning the same thing.
 */
@ApplicationScoped
public class ServiceCatalog {

    /** A DNS-label-like name, as cmux uses them (vscode, worker, port-5173). */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");

    private final SandboxRepository sandboxes;
    private final SandboxServiceRepository services;
    private final PublicDomains domains;

    public ServiceCatalog(SandboxRepository sandboxes, SandboxServiceRepository services, PublicDomains domains) {
        this.sandboxes = sandboxes;
        this.services = services;
        this.domains = domains;
    }

    @Transactional
    public List<ServiceView> list(String sandboxId) {
        requireSandbox(sandboxId, false);
        return services.listFor(sandboxId).stream().map(ServiceCatalog::view).toList();
    }

    @Transactional
    public ServiceView expose(String sandboxId, String name, ExposeServiceRequest request) {
        requireName(name);
        int port = request.port();
        AuthMode authMode = request.effectiveAuthMode();
        Optional<ServicePort> wellKnown = ServicePort.byName(name);
        if (wellKnown.isPresent() && wellKnown.get().port() != port) {
            throw new InvalidValueException("port", "service '" + name + "' is port " + wellKnown.get().port()
                    + ", not " + port + "; pick another name for port " + port);
        }
        if (port == ServicePort.EXEC.port() && authMode != AuthMode.TOKEN) {
            // Whoever reaches execd can run commands in the sandbox: it is never public.
            throw new InvalidValueException("authMode", "the exec port " + port + " can only be exposed with token auth");
        }
        // Locked so that a concurrent delete cannot slip between this check and the insert.
        Sandbox sandbox = requireSandbox(sandboxId, true);
        switch (sandbox.status) {
            case PROVISIONING, RUNNING, PAUSED, STOPPED -> {
            }
            case DELETING, DELETED, FAILED, LOST -> throw ProblemException.conflict(
                    "sandbox " + sandboxId + " is " + sandbox.status + "; its services cannot change");
        }
        Optional<String> built = sandbox.vmid == null ? Optional.empty()
                : ServiceUrls.build(domains.domain(), RouteLoader.guestAddress(sandbox), port);
        String url = built.orElseThrow(() -> ProblemException.conflict("sandbox " + sandboxId
                        + " has no address yet (no VMID, IP or FQDN); expose the service once it is running"));
        Optional<SandboxService> samePort = services.findByPort(sandboxId, port);
        if (samePort.isPresent() && !samePort.get().name.equals(name)) {
            throw ProblemException.conflict("port " + port + " of sandbox " + sandboxId + " is already exposed as '"
                    + samePort.get().name + "'; hide it first");
        }
        SandboxService service = services.findByName(sandboxId, name).orElseGet(() -> {
            SandboxService created = new SandboxService();
            created.sandboxId = sandboxId;
            created.name = name;
            created.createdAt = Instant.now();
            return created;
        });
        service.port = port;
        service.authMode = authMode;
        service.url = url;
        services.persist(service);
        return view(service);
    }

    @Transactional
    public void hide(String sandboxId, String name) {
        requireSandbox(sandboxId, false);
        services.deleteByName(sandboxId, name);
    }

    private Sandbox requireSandbox(String sandboxId, boolean lock) {
        if (!SandboxIds.isValid(sandboxId)) {
            throw ProblemException.notFound("no sandbox " + InvalidValueException.quote(sandboxId));
        }
        Sandbox sandbox = lock ? sandboxes.findById(sandboxId, LockModeType.PESSIMISTIC_WRITE) : sandboxes.findById(sandboxId);
        if (sandbox == null || sandbox.status == SandboxStatus.DELETED) {
            throw ProblemException.notFound("no sandbox " + sandboxId);
        }
        return sandbox;
    }

    private static void requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidValueException("name", "invalid service name " + InvalidValueException.quote(name)
                    + "; use 1-63 lower-case letters, digits and hyphens, starting with a letter");
        }
    }

    static ServiceView view(SandboxService service) {
        return new ServiceView(service.name, service.port, service.authMode, service.url);
    }
}
