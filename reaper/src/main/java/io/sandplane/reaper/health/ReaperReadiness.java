package io.sandplane.reaper.health;

import io.sandplane.reaper.config.ReaperConfig;
import io.sandplane.reaper.service.Leadership;
import io.sandplane.reaper.service.ReconcilePass;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The leader is ready while its passes succeed: down when the last successful pass (or, for a new
 * leader, its taking over) is older than three intervals. A standby is ready when it can reach the
 * database (the datasource check says so): it has nothing to reconcile and is ready to take over;
 * reporting it down would only stall rollouts.
 */
@Readiness
@ApplicationScoped
public class ReaperReadiness implements HealthCheck {

    static final int STALE_AFTER_INTERVALS = 3;

    private final Leadership leadership;
    private final ReconcilePass pass;
    private final ReaperConfig config;
    private final Clock clock;

    public ReaperReadiness(Leadership leadership, ReconcilePass pass, ReaperConfig config, Clock clock) {
        this.leadership = leadership;
        this.pass = pass;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Reaper passes")
                .withData("instance", leadership.instance())
                .withData("dryRun", config.dryRun());
        Optional<Instant> since = leadership.leaderSince();
        if (!leadership.isLeader() || since.isEmpty()) {
            return response.withData("role", "standby").up().build();
        }
        Optional<Instant> lastSuccess = pass.lastSuccessAt();
        lastSuccess.ifPresent(t -> response.withData("lastSuccessfulPass", t.toString()));
        Instant reference = lastSuccess.filter(t -> t.isAfter(since.get())).orElse(since.get());
        Duration limit = config.interval().multipliedBy(STALE_AFTER_INTERVALS);
        Duration age = Duration.between(reference, clock.instant());
        response.withData("role", "leader").withData("staleAfter", limit.toString());
        if (age.compareTo(limit) > 0) {
            return response.withData("reason", "no successful pass for " + age.toSeconds() + " s").down().build();
        }
        return response.up().build();
    }
}
