package io.sandplane.sandboxapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.sandboxapi.service.IdempotencyKeyPurge;
import io.sandplane.sandboxapi.support.IdempotencyRows;
import io.sandplane.sandboxapi.support.TestTeam;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Expired Idempotency-Keys are deleted on a schedule (every second in tests), safely from several replicas at once. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class IdempotencyPurgeTest {

    private static final String PURGE_JOB = "idempotency-key-purge";

    @Inject
    IdempotencyRows keys;

    @Inject
    IdempotencyKeyPurge purge;

    @Inject
    Scheduler scheduler;

    @Test
    void theScheduleDeletesExpiredKeysAndKeepsLiveOnes() {
        TestTeam team = TestTeam.create();
        keys.insert(team.id(), "old", 120, Instant.now().minus(Duration.ofMinutes(5)));
        keys.insert(team.id(), "live", 3, Instant.now().plus(Duration.ofHours(1)));
        // Nobody calls the purge here: the scheduled job must find them (in batches of 50 in tests).
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> keys.keys(team.id()).stream().noneMatch(k -> k.startsWith("old-")));
        assertThat(keys.keys(team.id())).containsExactly("live-0", "live-1", "live-2");
    }

    @Test
    void replicasPurgingAtTheSameMomentDeleteEveryExpiredKeyWithoutErrors() throws Exception {
        TestTeam team = TestTeam.create();
        scheduler.pause(PURGE_JOB); // no new scheduled runs while the four "replicas" below purge
        keys.insert(team.id(), "old", 1500, Instant.now().minus(Duration.ofMinutes(1)));
        keys.insert(team.id(), "live", 2, Instant.now().plus(Duration.ofHours(1)));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Instant now = Instant.now();
            long expired = keys.expired(now);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(() -> {
                    go.await();
                    return purge.purge(now);
                }));
            }
            go.countDown();
            int deleted = 0;
            for (Future<Integer> run : runs) {
                deleted += run.get(30, TimeUnit.SECONDS);
            }
            // Every expired key is gone, none counted twice. (A scheduled run already under way when the
            // job was paused may have taken some of them: pausing stops only the runs still to come.)
            assertThat(deleted).isPositive().isLessThanOrEqualTo((int) expired);
            assertThat(keys.expired(now)).isZero();
        } finally {
            pool.shutdownNow();
            scheduler.resume(PURGE_JOB);
        }
        assertThat(keys.keys(team.id())).containsExactly("live-0", "live-1");
    }

    @Test
    void aPurgeSkipsKeysAnotherTransactionHoldsInsteadOfWaiting() throws Exception {
        TestTeam team = TestTeam.create();
        scheduler.pause(PURGE_JOB);
        keys.insert(team.id(), "held", 3, Instant.now().minus(Duration.ofMinutes(1)));
        keys.insert(team.id(), "free", 3, Instant.now().minus(Duration.ofMinutes(1)));
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            Thread holder = keys.hold(team.id(), "held", locked, release);
            assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
            // It returns while the other transaction still holds its rows, having deleted the rest.
            single.submit(() -> purge.purge(Instant.now())).get(10, TimeUnit.SECONDS);
            assertThat(keys.keys(team.id())).containsExactly("held-0", "held-1", "held-2");
            release.countDown();
            holder.join(10_000);
            purge.purge(Instant.now());
            assertThat(keys.keys(team.id())).isEmpty();
        } finally {
            release.countDown();
            single.shutdownNow();
            scheduler.resume(PURGE_JOB);
        }
    }

    @Test
    void anExpiredKeyStartsSomethingNewAndALiveOneSurvivesThePurge() {
        TestTeam team = TestTeam.create();
        String body = "{\"preset\":\"4vcpu_8gb_32gb\",\"wait\":false}";
        keys.insert(team.id(), "reuse", 1, Instant.now().minus(Duration.ofSeconds(1)));
        // Not purged yet or purged already: either way the expired key is free and the start is new.
        String first = team.api().header("Idempotency-Key", "reuse-0").body(body).post("/api/sandboxes")
                .then().statusCode(202).header("Idempotent-Replayed", nullValue()).extract().path("id");
        // The key now belongs to that start for 24 h: the purge keeps it and the same request replays it.
        purge.purge(Instant.now());
        assertThat(keys.keys(team.id())).containsExactly("reuse-0");
        team.api().header("Idempotency-Key", "reuse-0").body(body).post("/api/sandboxes")
                .then().statusCode(202).header("Idempotent-Replayed", "true").body("id", equalTo(first));
        // Once it has expired, the same request starts another sandbox.
        purge.purge(Instant.now().plus(Duration.ofHours(25)));
        assertThat(keys.keys(team.id())).isEmpty();
        team.api().header("Idempotency-Key", "reuse-0").body(body).post("/api/sandboxes")
                .then().statusCode(202).header("Idempotent-Replayed", nullValue()).body("id", not(equalTo(first)));
    }
}
