package io.sandplane.reaper.client;

import io.sandplane.model.api.GuestInventory;
import io.sandplane.model.api.IsolationReport;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.internal.InternalCall;
import io.sandplane.model.internal.InternalCallException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * The provisioner, as the reaper uses it. Failures are read by {@link InternalCall} (as every service
 * reads them): a call that never arrived is tried again; a refusal ({@link InternalCallException.Refused})
 * reaches the caller, which decides whether the target changed under it; anything else fails the action,
 * and the next pass looks again. A circuit breaker stops a pass from hammering a provisioner that is down
 * (its {@code CircuitBreakerOpenException} reaches the caller as is). Tuned through MicroProfile Fault
 * Tolerance configuration, e.g. {@code io.sandplane.reaper.client.ProvisionerClient/Retry/maxRetries}.
 */
@ApplicationScoped
@Retry(maxRetries = 2, delay = 250, jitter = 100, retryOn = InternalCallException.Unreachable.class)
@CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 10, delayUnit = ChronoUnit.SECONDS,
        skipOn = InternalCallException.Refused.class)
public class ProvisionerClient {

    private static final String PROVISIONER = "provisioner";

    private final ProvisionerRestClient rest;

    public ProvisionerClient(@RestClient ProvisionerRestClient rest) {
        this.rest = rest;
    }

    public GuestInventory guests() {
        return call("list guests", rest::guests);
    }

    public SandboxState stop(String id) {
        return call("stop " + id, () -> rest.stop(id));
    }

    public SandboxState pause(String id) {
        return call("pause " + id, () -> rest.pause(id));
    }

    public SandboxState delete(String id) {
        return call("delete " + id, () -> rest.delete(id));
    }

    public SandboxState recover(String id) {
        return call("recover " + id, () -> rest.recover(id));
    }

    public IsolationReport isolation(String id) {
        return call("check the isolation of " + id, () -> rest.isolation(id));
    }

    public void deleteGuest(String node, int vmid) {
        InternalCall.run(PROVISIONER, "delete guest " + node + "/" + vmid, () -> rest.deleteGuest(node, vmid));
    }

    private static <T> T call(String what, Supplier<T> call) {
        return InternalCall.call(PROVISIONER, what, call);
    }
}
