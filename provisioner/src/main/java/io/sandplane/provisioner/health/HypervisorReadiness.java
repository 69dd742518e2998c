package io.sandplane.provisioner.health;

import io.sandplane.provisioner.client.PveClient;
import io.sandplane.provisioner.service.Failures;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** The provisioner is ready only if PVE answers: without it, it can do nothing. */
@Readiness
@ApplicationScoped
public class HypervisorReadiness implements HealthCheck {

    private final PveClient pve;

    public HypervisorReadiness(PveClient pve) {
        this.pve = pve;
    }

    @Override
    public HealthCheckResponse call() {
        long started = System.nanoTime();
        try {
            String version = pve.ping().version();
            return HealthCheckResponse.named("PVE API").up()
                    .withData("version", String.valueOf(version))
                    .withData("latencyMs", Duration.ofNanos(System.nanoTime() - started).toMillis())
                    .build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("PVE API").down().withData("error", Failures.reason(e)).build();
        }
    }
}
