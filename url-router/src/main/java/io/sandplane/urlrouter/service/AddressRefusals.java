package io.sandplane.urlrouter.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.sandplane.model.entity.SandboxEvents;
import io.sandplane.urlrouter.network.SandboxNetwork;
import io.sandplane.urlrouter.repository.SandboxEventRepository;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Reports a sandbox whose address the proxy refused to forward to: once per sandbox and address, as an
 * ERROR event on the sandbox (which its team sees in its history) and a WARN log (which says which rule,
 * for the operator). Written off the event loop; the event is written only if the sandbox has none with
 * the same detail yet, so replicas and restarts do not repeat it.
 */
@ApplicationScoped
public class AddressRefusals {

    private static final Logger LOG = Logger.getLogger(AddressRefusals.class);
    /** A recorded address is the guest's word: keep what goes into logs and events short. */
    private static final int MAX_ADDRESS_LENGTH = 80;

    private final SandboxEventRepository events;
    private final ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor();
    /** Sandbox id → the address this replica last reported for it; saves a database round trip per refused request. */
    private final Cache<String, String> reported = Caffeine.newBuilder().maximumSize(10_000).build();

    public AddressRefusals(SandboxEventRepository events) {
        this.events = events;
    }

    /**
     * A request for {@code sandboxId} was not forwarded: {@code address} (the recorded IP, or a name and what it
     * resolved to) may not be reached, for {@code verdict}'s reason. Cheap enough for the event loop.
     */
    public void refused(String sandboxId, String address, SandboxNetwork.Verdict verdict) {
        if (address.equals(reported.getIfPresent(sandboxId))) {
            return;
        }
        reported.put(sandboxId, address);
        writer.execute(() -> report(sandboxId, address, verdict));
    }

    private void report(String sandboxId, String address, SandboxNetwork.Verdict verdict) {
        String shown = address.length() > MAX_ADDRESS_LENGTH ? address.substring(0, MAX_ADDRESS_LENGTH) + "…" : address;
        // The same words whatever the rule: the sandbox's users must not learn where the control plane is.
        String detail = "requests not forwarded: the sandbox's address " + shown + " is not one the proxy may reach";
        try {
            boolean first = QuarkusTransaction.requiringNew().call(() -> events.persistOnce(
                    SandboxEvents.error(sandboxId, SandboxEvents.URL_ROUTER, detail, Instant.now())));
            if (first) {
                LOG.warnf("not forwarding requests for sandbox %s: its address %s is %s", sandboxId, shown, verdict.reason());
            } else {
                LOG.debugf("not forwarding requests for sandbox %s to %s (reported before)", sandboxId, shown);
            }
        } catch (RuntimeException e) {
            LOG.warnf("not forwarding requests for sandbox %s: its address %s is %s; the event could not be recorded: %s",
                    sandboxId, shown, verdict.reason(), e.getMessage());
            // Reported again at the next refused request.
            reported.invalidate(sandboxId);
        }
    }

    @PreDestroy
    void close() {
        writer.shutdown();
    }
}
