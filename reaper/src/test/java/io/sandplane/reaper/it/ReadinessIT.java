package io.sandplane.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sandplane.devsupport.ProjectLayout;
import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.provisioner.SharedProvisioner;
import io.sandplane.devsupport.test.ReadinessProbe;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The leader's readiness follows its passes: down once the last successful pass is older than three
 * intervals (here the provisioner it needs is gone), up again after the next successful one.
 */
class ReadinessIT {

    private static final Duration INTERVAL = Duration.ofSeconds(1);

    private ServiceProcess provisioner;
    private ReaperReplica reaper;

    @AfterEach
    void stop() {
        if (reaper != null) {
            reaper.close();
        }
        if (provisioner != null) {
            provisioner.stop();
        }
    }

    @Test
    void readinessFailsWhenPassesStopSucceedingAndRecovers() {
        provisioner = ServiceProcess.of("provisioner").env(SharedProvisioner.env())
                .logFile(ProjectLayout.root().resolve("reaper/target/readiness-it-provisioner.log")).start();
        reaper = ReaperReplica.start("it-ready", INTERVAL, provisioner.url(), Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> reaper.status().getString("lastSuccessfulPassAt") != null);
        ReadinessProbe.awaitStatus(reaper.ready(), 200, Duration.ofSeconds(10));

        provisioner.stop();
        long stopped = System.nanoTime();
        ReadinessProbe.awaitStatus(reaper.ready(), 503, INTERVAL.multipliedBy(10));
        Duration untilDown = Duration.ofNanos(System.nanoTime() - stopped);
        assertThat(untilDown).as("not before three intervals without a successful pass")
                .isGreaterThanOrEqualTo(INTERVAL.multipliedBy(2));
        assertThat(reaper.status().getString("lastPass.outcome")).isEqualTo("FAILED");

        provisioner.start();
        // The reaper's circuit breaker around the provisioner waits 10 s before it tries again.
        ReadinessProbe.awaitStatus(reaper.ready(), 200, Duration.ofSeconds(40));
        assertThat(reaper.status().getString("lastPass.outcome")).isEqualTo("SUCCEEDED");
        assertThat(reaper.status().getBoolean("leader")).isTrue();
    }
}
