package io.sandplane.simulator.health;

import io.sandplane.simulator.service.Cluster;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when a scenario is loaded (the API has nodes to answer for). */
@Readiness
public class SimulatorReadiness implements HealthCheck {

    private final Cluster cluster;

    public SimulatorReadiness(Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public HealthCheckResponse call() {
        var scenario = cluster.scenario();
        return HealthCheckResponse.named("pve-simulator").status(scenario != null && !scenario.nodes().isEmpty())
                .withData("nodes", scenario == null ? 0 : scenario.nodes().size())
                .withData("guestNetwork", cluster.network().network()).build();
    }
}
