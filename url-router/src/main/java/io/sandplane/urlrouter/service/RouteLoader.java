package io.sandplane.urlrouter.service;

import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxService;
import io.sandplane.model.service.AuthMode;
import io.sandplane.model.service.GuestAddress;
import io.sandplane.urlrouter.repository.SandboxRepository;
import io.sandplane.urlrouter.repository.SandboxServiceRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Reads a route from the database; blocking, called off the event loop. */
@ApplicationScoped
public class RouteLoader {

    private final SandboxRepository sandboxes;
    private final SandboxServiceRepository services;

    public RouteLoader(SandboxRepository sandboxes, SandboxServiceRepository services) {
        this.sandboxes = sandboxes;
        this.services = services;
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<Route> load(int vmid) {
        Optional<Sandbox> found = sandboxes.findLiveByVmid(vmid);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Sandbox sandbox = found.get();
        Map<Integer, AuthMode> exposed = new HashMap<>();
        for (SandboxService service : services.listFor(sandbox.id)) {
            exposed.put(service.port, service.authMode);
        }
        return Optional.of(new Route(sandbox.id, vmid, sandbox.status, upstreamHost(sandbox), sandbox.wakeOnHttp,
                sandbox.accessTokenHash, exposed));
    }

    static String upstreamHost(Sandbox sandbox) {
        if (sandbox.ip != null && !sandbox.ip.isBlank()) {
            return sandbox.ip;
        }
        return sandbox.fqdn != null && !sandbox.fqdn.isBlank() ? sandbox.fqdn : null;
    }

    /** The sandbox row as a {@link GuestAddress}: the search domain is what the FQDN adds to the hostname. */
    public static GuestAddress guestAddress(Sandbox sandbox) {
        String searchDomain = null;
        String hostname = sandbox.hostname;
        if (sandbox.fqdn != null && hostname != null && sandbox.fqdn.startsWith(hostname + ".")) {
            searchDomain = sandbox.fqdn.substring(hostname.length() + 1);
        } else if (sandbox.fqdn != null && sandbox.fqdn.indexOf('.') > 0) {
            hostname = sandbox.fqdn.substring(0, sandbox.fqdn.indexOf('.'));
            searchDomain = sandbox.fqdn.substring(sandbox.fqdn.indexOf('.') + 1);
        }
        return new GuestAddress(sandbox.vmid == null ? 0 : sandbox.vmid, hostname, searchDomain, sandbox.ip);
    }
}
