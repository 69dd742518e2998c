package io.sandplane.urlrouter.service;

import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxService;
import io.sandplane.model.network.Cidr;
import io.sandplane.model.service.AuthMode;
import io.sandplane.model.service.GuestAddress;
import io.sandplane.urlrouter.network.SandboxNetwork;
import io.sandplane.urlrouter.repository.SandboxRepository;
import io.sandplane.urlrouter.repository.SandboxServiceRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Reads a route from the database; blocking, called off the event loop. */
@ApplicationScoped
public class RouteLoader {

    private final SandboxRepository sandboxes;
    private final SandboxServiceRepository services;
    private final SandboxNetwork network;

    public RouteLoader(SandboxRepository sandboxes, SandboxServiceRepository services, SandboxNetwork network) {
        this.sandboxes = sandboxes;
        this.services = services;
        this.network = network;
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
        return Optional.of(new Route(sandbox.id, vmid, sandbox.status, serviceAddress(sandbox, network), sandbox.wakeOnHttp,
                sandbox.accessTokenHash, sandbox.isolationProblem == null, exposed));
    }

    /**
     * Where the sandbox's services answer: its recorded IP, as the address that text strictly names and only if
     * the sandbox network allows it (a text that is no plain IP literal is refused, never looked up, and so is
     * IPv4-mapped text such as {@code ::ffff:10.0.0.5}: see {@link Cidr#parseAddress}); else its FQDN, whose address
     * is judged when a connection is opened; null while it has neither.
     */
    static ServiceAddress serviceAddress(Sandbox sandbox, SandboxNetwork network) {
        if (sandbox.ip != null && !sandbox.ip.isBlank()) {
            Optional<InetAddress> address = Cidr.parseAddress(sandbox.ip);
            if (address.isEmpty()) {
                return new ServiceAddress.Refused(sandbox.ip, SandboxNetwork.Verdict.NOT_AN_ADDRESS);
            }
            SandboxNetwork.Verdict verdict = network.judge(address.get());
            return verdict == SandboxNetwork.Verdict.ALLOWED ? new ServiceAddress.Ip(address.get())
                    : new ServiceAddress.Refused(sandbox.ip, verdict);
        }
        return sandbox.fqdn != null && !sandbox.fqdn.isBlank() ? new ServiceAddress.Name(sandbox.fqdn) : null;
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
