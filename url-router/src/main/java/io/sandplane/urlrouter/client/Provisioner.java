package io.sandplane.urlrouter.client;

import io.sandplane.model.api.SandboxState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * What the url-router asks of the provisioner: resume a sandbox for wake-on-HTTP. Resume is
 * idempotent, so a call that failed in transit (connection refused or reset, a 5xx of a restarting
 * replica) is simply sent again; a dead provisioner opens the breaker instead of holding every
 * waking request for the full timeout.
 */
@ApplicationScoped
public class Provisioner {

    private final ProvisionerRestClient client;

    public Provisioner(@RestClient ProvisionerRestClient client) {
        this.client = client;
    }

    @Retry(maxRetries = 2, delay = 500, delayUnit = ChronoUnit.MILLIS, retryOn = { ProcessingException.class,
            TransientProvisionerError.class })
    @CircuitBreaker(requestVolumeThreshold = 4, failureRatio = 0.75, delay = 5, delayUnit = ChronoUnit.SECONDS,
            failOn = { ProcessingException.class, TransientProvisionerError.class })
    public SandboxState resume(String sandboxId) {
        try {
            return client.resume(sandboxId);
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 502 || status == 503 || status == 504) {
                throw new TransientProvisionerError("provisioner answered " + status + " to resume " + sandboxId, e);
            }
            throw new ProvisionerRefused(status, "provisioner refused to resume " + sandboxId + " (HTTP " + status + ")", e);
        }
    }

    /** The provisioner was unreachable or overloaded; worth another try. */
    public static final class TransientProvisionerError extends RuntimeException {
        TransientProvisionerError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The provisioner answered, and the answer was no (e.g. the sandbox is being deleted). */
    public static final class ProvisionerRefused extends RuntimeException {
        private final int status;

        ProvisionerRefused(int status, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
