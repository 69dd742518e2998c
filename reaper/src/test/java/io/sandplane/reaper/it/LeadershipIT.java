package io.sandplane.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.test.ReadinessProbe;
import io.sandplane.devsupport.test.SharedPostgres;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two built reaper replicas over one database and one provisioner: exactly one acts, and the other
 * takes over when it goes.
 */
class LeadershipIT {

    private static final Duration INTERVAL = Duration.ofSeconds(2);
    /** Time for a process to be scheduled on a busy two-core machine, on top of the interval. */
    private static final Duration SLACK = Duration.ofMillis(1500);
    /** For waits that are not measured: a fresh JVM answers its first requests slowly on a loaded machine. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

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
    void onlyTheLeaderActsAndTheOtherTakesOverWithinAnIntervalWhenItIsKilled() {
        a = ReaperReplica.start("it-a", INTERVAL);
        b = ReaperReplica.start("it-b", INTERVAL);
        ReaperReplica leader = awaitOneLeader();
        ReaperReplica standby = leader == a ? b : a;
        assertThat(standby.status().getString("leaderInstance")).isEqualTo(leader.name());
        assertThat(standby.metrics()).contains("reaper_leader 0.0");
        assertThat(leader.metrics()).contains("reaper_leader 1.0");
        ReadinessProbe.awaitStatus(standby.ready(), 200, Duration.ofSeconds(10));

        String lost = Rows.runningWithoutGuest();
        await().atMost(PATIENCE).until(() -> "LOST".equals(Rows.status(lost)));
        // Both replicas kept ticking for a few intervals meanwhile: one acted, once.
        await().during(INTERVAL.multipliedBy(2)).atMost(PATIENCE)
                .until(() -> Rows.reaperActions(lost).size() == 1);
        assertThat(leader.actionsDone("lost")).isEqualTo(1.0);
        assertThat(standby.actionsDone("lost")).isZero();
        assertThat((Object) standby.status().get("lastPass")).as("a standby runs no pass").isNull();

        leader.kill();
        long killed = System.nanoTime();
        await().atMost(INTERVAL.multipliedBy(3)).pollInterval(Duration.ofMillis(50)).until(standby::leads);
        Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
        System.out.printf("reaper takeover after SIGKILL of the leader: %d ms (interval %d ms)%n", takeover.toMillis(),
                INTERVAL.toMillis());
        assertThat(takeover).isLessThanOrEqualTo(INTERVAL.plus(SLACK));

        String lostLater = Rows.runningWithoutGuest();
        await().atMost(PATIENCE).until(() -> "LOST".equals(Rows.status(lostLater)));
        assertThat(standby.actionsDone("lost")).isEqualTo(1.0);
        assertThat(Rows.reaperActions(lostLater)).hasSize(1);
    }

    @Test
    void aLeaderThatStopsHandsOverAtTheNextTick() {
        a = ReaperReplica.start("it-c", INTERVAL);
        await().atMost(PATIENCE).until(a::leads);
        b = ReaperReplica.start("it-d", INTERVAL);
        await().during(INTERVAL.multipliedBy(2)).atMost(PATIENCE).until(() -> !b.leads());

        a.stop();
        long stopped = System.nanoTime();
        await().atMost(INTERVAL.multipliedBy(3)).pollInterval(Duration.ofMillis(50)).until(b::leads);
        assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThanOrEqualTo(INTERVAL.plus(SLACK));
    }

    @Test
    void aLeaderThatLosesTheDatabaseStopsLeadingAndOneLeadsAgainWhenItIsBack() {
        a = ReaperReplica.start("it-e", INTERVAL);
        await().atMost(PATIENCE).until(a::leads);
        b = ReaperReplica.start("it-f", INTERVAL);

        EmbeddedPostgres pg = SharedPostgres.get();
        pg.stop();
        try {
            ReadinessProbe.awaitStatus(a.ready(), 503, PATIENCE);
            // At its next tick the leader finds its lock session gone and stops acting.
            await().atMost(PATIENCE).until(() -> !a.leads());
            assertThat(b.leads()).isFalse();
        } finally {
            pg.start();
        }
        await().atMost(PATIENCE).until(() -> a.leads() || b.leads());
        String lost = Rows.runningWithoutGuest();
        await().atMost(Duration.ofSeconds(30)).until(() -> "LOST".equals(Rows.status(lost)));
        assertThat(Rows.reaperActions(lost)).hasSize(1);
    }

    private ReaperReplica awaitOneLeader() {
        await().atMost(PATIENCE).until(() -> a.leads() || b.leads());
        // Watched for a while: never two leaders, never none.
        await().during(INTERVAL.multipliedBy(2)).atMost(PATIENCE).until(() -> a.leads() != b.leads());
        return a.leads() ? a : b;
    }
}
