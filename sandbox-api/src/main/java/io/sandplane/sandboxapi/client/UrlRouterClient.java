package io.sandplane.sandboxapi.client;

import io.sandplane.model.api.ExposeServiceRequest;
import io.sandplane.model.api.ServiceView;
import io.sandplane.sandboxapi.config.ApiConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** The url-router's service routes, with the same fault-tolerance rules as {@link ProvisionerClient}. */
@ApplicationScoped
@Timeout(value = 10, unit = ChronoUnit.SECONDS)
@Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = UpstreamException.Unreachable.class)
@CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5, delayUnit = ChronoUnit.SECONDS,
        skipOn = UpstreamException.Rejected.class)
public class UrlRouterClient {

    static final String NAME = "url-router";

    private final ServiceRoutesRestClient client;
    private final int retryAfter;

    public UrlRouterClient(@RestClient ServiceRoutesRestClient client, ApiConfig config) {
        this.client = client;
        this.retryAfter = config.upstream().retryAfterSeconds();
    }

    public List<ServiceView> list(String sandboxId) {
        return UpstreamCalls.call(NAME, retryAfter, () -> client.list(sandboxId));
    }

    public ServiceView expose(String sandboxId, String name, ExposeServiceRequest request) {
        return UpstreamCalls.call(NAME, retryAfter, () -> client.expose(sandboxId, name, request));
    }

    public void hide(String sandboxId, String name) {
        UpstreamCalls.run(NAME, retryAfter, () -> client.hide(sandboxId, name));
    }
}
