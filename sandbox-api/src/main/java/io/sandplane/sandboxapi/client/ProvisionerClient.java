package io.sandplane.sandboxapi.client;

import io.sandplane.model.api.ExecRequest;
import io.sandplane.model.api.ExecResult;
import io.sandplane.model.api.ProviderHealth;
import io.sandplane.model.api.SandboxState;
import io.sandplane.sandboxapi.config.ApiConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * The provisioner, with fault tolerance: only calls that certainly never arrived (connection refused)
 * are retried, and every provisioner operation is idempotent, so a retry cannot create a second guest.
 * The breaker counts unreachable and failed calls, never refusals (4xx), and fails fast while open.
 */
@ApplicationScoped
public class ProvisionerClient {

    static final String NAME = "provisioner";

    private final ProvisionerRestClient client;
    private final int retryAfter;

    public ProvisionerClient(@RestClient ProvisionerRestClient client, ApiConfig config) {
        this.client = client;
        this.retryAfter = config.upstream().retryAfterSeconds();
    }

    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = UpstreamException.Unreachable.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5, delayUnit = ChronoUnit.SECONDS,
            failOn = { UpstreamException.Unreachable.class, UpstreamException.Failed.class })
    public SandboxState provision(String id) {
        return UpstreamCalls.call(NAME, retryAfter, () -> client.provision(id));
    }

    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = UpstreamException.Unreachable.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5, delayUnit = ChronoUnit.SECONDS,
            failOn = { UpstreamException.Unreachable.class, UpstreamException.Failed.class })
    public SandboxState stop(String id) {
        return UpstreamCalls.call(NAME, retryAfter, () -> client.stop(id));
    }

    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = UpstreamException.Unreachable.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5, delayUnit = ChronoUnit.SECONDS,
            failOn = { UpstreamException.Unreachable.class, UpstreamException.Failed.class })
    public SandboxState pause(String id) {
        return UpstreamCalls.call(NAME, retryAfter, () -> client.pause(id));
    }

    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = UpstreamException.Unreachable.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5, delayUnit = ChronoUnit.SECONDS,
            failOn = { UpstreamException.Unreachable.class, UpstreamException.Failed.class })
    public SandboxState resume(String id) {
        return UpstreamCalls.call(NAME, retryAfter, () -> client.resume(id));
    }

    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = UpstreamException.Unreachable.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5, delayUnit = ChronoUnit.SECONDS,
            failOn = { UpstreamException.Unreachable.class, UpstreamException.Failed.class })
    public SandboxState delete(String id) {
        return UpstreamCalls.call(NAME, retryAfter, () -> client.delete(id));
    }

    /** Commands are not idempotent: a command is never retried, even when the connection was refused. */
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5, delayUnit = ChronoUnit.SECONDS,
            failOn = { UpstreamException.Unreachable.class, UpstreamException.Failed.class })
    public ExecResult exec(String id, ExecRequest request) {
        return UpstreamCalls.call(NAME, retryAfter, () -> client.exec(id, request));
    }

    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    public ProviderHealth health() {
        return UpstreamCalls.call(NAME, retryAfter, client::health);
    }
}
