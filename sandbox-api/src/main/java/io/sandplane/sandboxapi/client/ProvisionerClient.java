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
 * The provisioner, with fault tolerance declared once for the class: only calls that certainly never arrived
 * (connection refused) are retried — every provisioner operation is idempotent, so a retry cannot create a
 * second guest — and the breaker counts unreachable and failed calls, never refusals (4xx), and fails fast
 * while open. Failures are read by {@link io.sandplane.model.internal.InternalCall}, as in every service. Tuned
 * through MicroProfile Fault Tolerance configuration, e.g.
 * {@code io.sandplane.sandboxapi.client.ProvisionerClient/Retry/maxRetries}.
 */
@ApplicationScoped
@Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = UpstreamException.Unreachable.class)
@CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5, delayUnit = ChronoUnit.SECONDS,
        skipOn = UpstreamException.Rejected.class)
public class ProvisionerClient {

    static final String NAME = "provisioner";

    private final ProvisionerRestClient client;
    private final int retryAfter;

    public ProvisionerClient(@RestClient ProvisionerRestClient client, ApiConfig config) {
        this.client = client;
        this.retryAfter = config.upstream().retryAfterSeconds();
    }

    public SandboxState provision(String id) {
        return UpstreamCalls.call(NAME, retryAfter, () -> client.provision(id));
    }

    public SandboxState stop(String id) {
        return UpstreamCalls.call(NAME, retryAfter, () -> client.stop(id));
    }

    public SandboxState pause(String id) {
        return UpstreamCalls.call(NAME, retryAfter, () -> client.pause(id));
    }

    public SandboxState resume(String id) {
        return UpstreamCalls.call(NAME, retryAfter, () -> client.resume(id));
    }

    public SandboxState delete(String id) {
        return UpstreamCalls.call(NAME, retryAfter, () -> client.delete(id));
    }

    /** Commands are not idempotent: a command is never retried, even when the connection was refused. */
    @Retry(maxRetries = 0)
    public ExecResult exec(String id, ExecRequest request) {
        return UpstreamCalls.call(NAME, retryAfter, () -> client.exec(id, request));
    }

    /** A health check answers within its timeout or says why not: it is not retried. */
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 0)
    public ProviderHealth health() {
        return UpstreamCalls.call(NAME, retryAfter, client::health);
    }
}
