package io.sandplane.provisioner.health;

import io.sandplane.model.api.ProviderHealth;
import io.sandplane.provisioner.provider.pve.ClusterFirewall;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * With {@code SANDPLANE_FIREWALL=enforce} a provisioner that cannot isolate guests refuses every start, so it is not
 * ready: PVE's datacenter firewall is off, or Sandplane's IP sets and security groups could not be made right. The
 * problem says what to do. With the firewall off it is up and says that guests are not isolated.
 */
@Readiness
@ApplicationScoped
public class FirewallReadiness implements HealthCheck {

    private final ClusterFirewall firewall;

    public FirewallReadiness(ClusterFirewall firewall) {
        this.firewall = firewall;
    }

    @Override
    public HealthCheckResponse call() {
        ProviderHealth.Firewall state = firewall.health();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("PVE firewall").status(!state.blocksStarts())
                .withData("mode", state.mode())
                .withData("datacenterEnabled", state.datacenterEnabled());
        if (state.reconciledAt() != null) {
            response.withData("reconciledAt", state.reconciledAt().toString());
        }
        if (state.problem() != null) {
            response.withData("problem", state.problem());
        }
        return response.build();
    }
}
