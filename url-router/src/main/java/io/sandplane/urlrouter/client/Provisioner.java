package io.sandplane.urlrouter.client;

import io.sandplane.model.api.SandboxState;
import io.sandplane.model.internal.InternalCall;
import io.sandplane.model.internal.InternalCallException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * What the url-router asks of the provisioner: resume a sandbox for wake-on-HTTP. Failures are read by
 * {@link InternalCall}, as every service reads them: a call that never arrived is sent again (resume is
 * idempotent); a dead provisioner opens the breaker instead of holding every waking request for the full
 * timeout; a refusal is not counted against it. Tuned through MicroProfile Fault Tolerance configuration,
 * e.g. {@code io.sandplane.urlrouter.client.Provisioner/Retry/maxRetries}.
 */
@ApplicationScoped
@Retry(maxRetries = 2, delay = 500, delayUnit = ChronoUnit.MILLIS, retryOn = InternalCallException.Unreachable.class)
@CircuitBreaker(requestVolumeThreshold = 4, failureRatio = 0.75, delay = 5, delayUnit = ChronoUnit.SECONDS,
        skipOn = InternalCallException.Refused.class)
public class Provisioner {

    private final ProvisionerRestClient client;

    public Provisioner(@RestClient ProvisionerRestClient client) {
        this.client = client;
    }

    public SandboxState resume(String sandboxId) {
        return InternalCall.call("provisioner", "resume " + sandboxId, () -> client.resume(sandboxId));
    }
}
