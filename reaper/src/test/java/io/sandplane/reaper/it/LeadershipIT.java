package io.sandplane.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sandplane.devsupport.test.ReadinessProbe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two reaper replicas over one database: exactly one acts, and the other takes over when it goes. */
class LeadershipIT {

    private static final Duration INTERVAL = Duration.ofSeconds(2);

    private ReaperReplica a;
    private ReaperReplica b;

    @AfterEach
    void stopReplicas() {
        for (ReaperReplica r : new ReaperReplica[] { a, b }) {
            if (r != null) {
                r.close();
            }
        }
    }

    @Test
    void oneLeadsTheOtherTakesOverWithinAnIntervalWhenTheLeaderIsKilled() {
        a = ReaperReplica.start("it-a", INTERVAL, World.provisionerUrl(), Map.of());
        b = ReaperReplica.start("it-b", INTERVAL, World.provisionerUrl(), Map.of());
        ReaperReplica leader = awaitOneLeader();
        ReaperReplica standby = leader == a ? b : a;

        assertThat(standby.status().getString("leaderInstance")).isEqualTo(leader.name());
        assertThat(standby.metrics()).contains("reaper_leader 0.0");
        assertThat(leader.metrics()).contains("reaper_leader 1.0");
        ReadinessProbe.awaitStatus(standby.ready(), 200, Duration.ofSeconds(10));

        leader.kill();
        long killed = System.nanoTime();
        await().atMost(INTERVAL.multipliedBy(3)).pollInterval(Duration.ofMillis(50)).until(standby::leads);
        Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
        System.out.println("reaper takeover after SIGKILL of the leader: " + takeover.toMillis() + " ms (interval "
                + INTERVAL.toMillis() + " ms)");
        assertThat(takeover).isLessThanOrEqualTo(INTERVAL.plusMillis(1500));
        assertThat(standby.status().getString("leaderInstance")).isEqualTo(standby.name());
    }

    @Test
    void aLeaderThatStopsHandsOverAtTheNextTick() {
        a = ReaperReplica.start("it-c", INTERVAL, World.provisionerUrl(), Map.of());
        await().atMost(INTERVAL.multipliedBy(3)).until(a::leads);
        b = ReaperReplica.start("it-d", INTERVAL, World.provisionerUrl(), Map.of());
        await().during(INTERVAL.multipliedBy(2)).atMost(INTERVAL.multipliedBy(3)).until(() -> !b.leads());

        a.stop();
        long stopped = System.nanoTime();
        await().atMost(INTERVAL.multipliedBy(3)).pollInterval(Duration.ofMillis(50)).until(b::leads);
        assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThanOrEqualTo(INTERVAL.plusMillis(1500));
    }

    private ReaperReplica awaitOneLeader() {
        await().atMost(INTERVAL.multipliedBy(4)).until(() -> a.leads() || b.leads());
        // Both look for a while: never two leaders.
        await().during(INTERVAL.multipliedBy(2)).atMost(INTERVAL.multipliedBy(3))
                .until(() -> a.leads() != b.leads());
        return List.of(a, b).stream().filter(ReaperReplica::leads).findFirst().map(Optional::of).orElseThrow().get();
    }
}
