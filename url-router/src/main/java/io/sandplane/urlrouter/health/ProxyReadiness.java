package io.sandplane.urlrouter.health;

import io.sandplane.urlrouter.proxy.ProxyServer;
import io.sandplane.urlrouter.service.RouteInvalidations;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the proxy listener is up and database route changes reach this replica (without them
 * it would route on data up to a cache TTL old; the database check covers the rest).
 */
@Readiness
@ApplicationScoped
public class ProxyReadiness implements HealthCheck {

    private final ProxyServer proxy;
    private final RouteInvalidations invalidations;

    public ProxyReadiness(ProxyServer proxy, RouteInvalidations invalidations) {
        this.proxy = proxy;
        this.invalidations = invalidations;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("proxy")
                .status(proxy.port() > 0 && invalidations.listening())
                .withData("port", proxy.port())
                .withData("routeChangesListening", invalidations.listening())
                .build();
    }
}
