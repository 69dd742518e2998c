package io.sandplane.reaper.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandplane.model.api.GuestInventory;
import io.sandplane.model.api.IsolationReport;
import io.sandplane.model.api.SandboxState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * The provisioner, as the reaper uses it. Every call is idempotent on the provisioner's side, so a
 * call that failed in transit is retried; errors the provisioner answers about the request itself
 * are not. A circuit breaker stops a pass from hammering a provisioner that is down (its
 * {@code CircuitBreakerOpenException} reaches the caller as is).
 */
@ApplicationScoped
public class ProvisionerClient {

    private final ProvisionerRestClient rest;
    private final ObjectMapper json;

    public ProvisionerClient(@RestClient ProvisionerRestClient rest, ObjectMapper json) {
        this.rest = rest;
        this.json = json;
    }

    @Retry(maxRetries = 2, delay = 250, jitter = 100, retryOn = ProvisionerUnavailableException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 10, delayUnit = ChronoUnit.SECONDS,
            failOn = ProvisionerUnavailableException.class)
    public GuestInventory guests() {
        return call("list guests", rest::guests);
    }

    @Retry(maxRetries = 2, delay = 250, jitter = 100, retryOn = ProvisionerUnavailableException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 10, delayUnit = ChronoUnit.SECONDS,
            failOn = ProvisionerUnavailableException.class)
    public SandboxState stop(String id) {
        return call("stop " + id, () -> rest.stop(id));
    }

    @Retry(maxRetries = 2, delay = 250, jitter = 100, retryOn = ProvisionerUnavailableException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 10, delayUnit = ChronoUnit.SECONDS,
            failOn = ProvisionerUnavailableException.class)
    public SandboxState pause(String id) {
        return call("pause " + id, () -> rest.pause(id));
    }

    @Retry(maxRetries = 2, delay = 250, jitter = 100, retryOn = ProvisionerUnavailableException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 10, delayUnit = ChronoUnit.SECONDS,
            failOn = ProvisionerUnavailableException.class)
    public SandboxState delete(String id) {
        return call("delete " + id, () -> rest.delete(id));
    }

    @Retry(maxRetries = 2, delay = 250, jitter = 100, retryOn = ProvisionerUnavailableException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 10, delayUnit = ChronoUnit.SECONDS,
            failOn = ProvisionerUnavailableException.class)
    public SandboxState recover(String id) {
        return call("recover " + id, () -> rest.recover(id));
    }

    @Retry(maxRetries = 2, delay = 250, jitter = 100, retryOn = ProvisionerUnavailableException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 10, delayUnit = ChronoUnit.SECONDS,
            failOn = ProvisionerUnavailableException.class)
    public IsolationReport isolation(String id) {
        return call("check the isolation of " + id, () -> rest.isolation(id));
    }

    @Retry(maxRetries = 2, delay = 250, jitter = 100, retryOn = ProvisionerUnavailableException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 10, delayUnit = ChronoUnit.SECONDS,
            failOn = ProvisionerUnavailableException.class)
    public void deleteGuest(String node, int vmid) {
        call("delete guest " + node + "/" + vmid, () -> {
            rest.deleteGuest(node, vmid);
            return null;
        });
    }

    private <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (WebApplicationException e) {
            Response response = e.getResponse();
            int status = response.getStatus();
            String detail = what + ": provisioner answered " + status + problemDetail(response);
            // 503: PVE unreachable or the provisioner's breaker open; 504: a gateway gave up. 502 is PVE refusing this call.
            if (status == 503 || status == 504) {
                throw new ProvisionerUnavailableException(detail, e);
            }
            throw new ProvisionerRefusedException(status, detail);
        } catch (ProcessingException e) {
            throw new ProvisionerUnavailableException(what + ": provisioner unreachable: " + e.getMessage(), e);
        }
    }

    /** ": <detail>" from a problem+json body, or nothing. */
    private String problemDetail(Response response) {
        try {
            if (!response.hasEntity()) {
                return "";
            }
            JsonNode body = json.readTree(response.readEntity(String.class));
            JsonNode detail = body == null ? null : body.get("detail");
            return detail == null || detail.isNull() ? "" : ": " + detail.asText();
        } catch (RuntimeException | java.io.IOException e) {
            return "";
        }
    }
}
