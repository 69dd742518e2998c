package io.sandplane.sandboxapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.sandboxapi.service.Admission;
import io.sandplane.sandboxapi.service.Caller;
import io.sandplane.sandboxapi.service.RateLimited;
import io.sandplane.sandboxapi.service.StartAdmission;
import io.sandplane.sandboxapi.service.StartPlan;
import io.sandplane.sandboxapi.service.StartRequests;
import io.sandplane.sandboxapi.rest.dto.CreateSandboxRequest;
import io.sandplane.sandboxapi.support.RawHttp;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.TestTeam;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Quotas, the hourly start limit and idempotency: exact under concurrent requests. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class StartLimitsTest {

    private static final String BACKGROUND_START = "{\"preset\":\"4vcpu_8gb_32gb\",\"wait\":false}";

    @Inject
    SandboxRows rows;

    @TestHTTPResource("/")
    URI root;

    @Inject
    StartAdmission admission;

    @Inject
    StartRequests requests;

    /** Runs the same call from several threads released at once. */
    private static <T> List<T> concurrently(int threads, Callable<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theHourlyStartLimitAdmitsExactlyTheLimitUnderConcurrentRequests() throws Exception {
        TestTeam team = TestTeam.builder().startsPerHour(4).maxLive(100).create();
        List<Response> answers = concurrently(12, () -> team.api().body(BACKGROUND_START).post("/api/sandboxes"));
        List<Integer> statuses = answers.stream().map(Response::statusCode).toList();
        assertThat(statuses).filteredOn(s -> s == 202).hasSize(4);
        assertThat(statuses).filteredOn(s -> s == 429).hasSize(8);
        assertThat(rows.count(team.id())).isEqualTo(4);

        Response limited = answers.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
        assertThat(limited.contentType()).startsWith("application/problem+json");
        assertThat(limited.header("X-RateLimit-Limit")).isEqualTo("4");
        assertThat(limited.header("X-RateLimit-Remaining")).isEqualTo("0");
        long reset = Long.parseLong(limited.header("X-RateLimit-Reset"));
        long retryAfter = Long.parseLong(limited.header("Retry-After"));
        assertThat(reset).isBetween(Instant.now().getEpochSecond() + 3500, Instant.now().getEpochSecond() + 3601);
        assertThat(retryAfter).isBetween(3500L, 3601L);
        assertThat(limited.jsonPath().getString("type")).isEqualTo("urn:sandplane:problem:rate-limited");

        Response admitted = answers.stream().filter(r -> r.statusCode() == 202).findFirst().orElseThrow();
        assertThat(admitted.header("X-RateLimit-Limit")).isEqualTo("4");
        assertThat(Integer.parseInt(admitted.header("X-RateLimit-Remaining"))).isBetween(0, 3);
    }

    @Test
    void theLiveQuotaAdmitsExactlyWhatIsFreeUnderConcurrentAdmissions() throws Exception {
        TestTeam team = TestTeam.builder().maxLive(5).startsPerHour(100).create();
        rows.insert(team.id(), SandboxStatus.RUNNING);
        rows.insert(team.id(), SandboxStatus.PAUSED);
        rows.insert(team.id(), SandboxStatus.DELETED); // not live: does not count
        rows.insert(team.id(), SandboxStatus.FAILED); // not live either
        Caller caller = new Caller(team.id(), team.slug(), null, "spk_test");
        StartPlan plan = requests.plan(new CreateSandboxRequest(null, null, null, null, null, null, null, null, null, false), "api", Optional.empty());
        List<Object> outcomes = concurrently(10, () -> {
            try {
                return admission.admit(caller, plan, Optional.empty());
            } catch (RateLimited e) {
                return e;
            }
        });
        assertThat(outcomes).filteredOn(o -> o instanceof Admission.Admitted).hasSize(3);
        assertThat(outcomes).filteredOn(o -> o instanceof RateLimited r && r.type().equals("quota-exceeded")).hasSize(7);
        assertThat(rows.count(team.id())).isEqualTo(7);
    }

    @Test
    void everyLiveStatusCountsAgainstTheQuotaAndNoOtherDoes() {
        for (SandboxStatus status : SandboxStatus.values()) {
            TestTeam team = TestTeam.builder().maxLive(1).startsPerHour(100).create();
            rows.insert(team.id(), status);
            int answer = team.api().body(BACKGROUND_START).post("/api/sandboxes").then().extract().statusCode();
            assertThat(answer).as("a start next to a sandbox that is %s", status).isEqualTo(status.isLive() ? 429 : 202);
        }
    }

    @Test
    void aLoweredStartLimitSaysWhenEnoughOfTheHoursStartsHaveLeftIt() {
        TestTeam team = TestTeam.builder().startsPerHour(10).create();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        for (int minutesAgo : new int[] { 50, 40, 30, 20 }) {
            rows.insertStartedAt(team.id(), SandboxStatus.DELETED, now.minus(Duration.ofMinutes(minutesAgo)));
        }
        io.restassured.RestAssured.given().header("Authorization", TestTeam.OPERATOR).contentType("application/json")
                .body("{\"startsPerHour\":2}").put("/api/admin/teams/" + team.slug() + "/quotas").then().statusCode(200);

        // Four starts in the hour and a limit of two: one more fits once three have left it, the third
        // oldest (30 minutes ago) an hour after it was made.
        Instant thirdLeaves = now.minus(Duration.ofMinutes(30)).plus(Duration.ofHours(1));
        Response limited = team.api().body(BACKGROUND_START).post("/api/sandboxes");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.jsonPath().getString("type")).isEqualTo("urn:sandplane:problem:rate-limited");
        assertThat(limited.header("X-RateLimit-Limit")).isEqualTo("2");
        assertThat(limited.header("X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(Long.parseLong(limited.header("X-RateLimit-Reset"))).isEqualTo(thirdLeaves.getEpochSecond());
        assertThat(Long.parseLong(limited.header("Retry-After")))
                .isBetween(Duration.between(Instant.now(), thirdLeaves).toSeconds(), Duration.ofMinutes(30).toSeconds() + 1);
        assertThat(rows.count(team.id())).isEqualTo(4);
    }

    @Test
    void aFullLiveQuotaIsA429WithRateLimitHeaders() {
        TestTeam team = TestTeam.builder().maxLive(1).create();
        rows.insert(team.id(), SandboxStatus.STOPPED);
        team.api().body(BACKGROUND_START).post("/api/sandboxes").then().statusCode(429)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:sandplane:problem:quota-exceeded"))
                .header("Retry-After", notNullValue())
                .header("X-RateLimit-Limit", "1")
                .header("X-RateLimit-Remaining", "0")
                .header("X-RateLimit-Reset", notNullValue());
    }

    @Test
    void theSameKeyAndBodyReturnTheSameSandboxEvenFromConcurrentRequests() throws Exception {
        TestTeam team = TestTeam.create();
        List<Response> answers = concurrently(6, () -> team.api().header("Idempotency-Key", "order-42")
                .body(BACKGROUND_START).post("/api/sandboxes"));
        assertThat(answers).extracting(Response::statusCode).containsOnly(202);
        assertThat(answers.stream().map(r -> r.jsonPath().getString("id")).distinct()).hasSize(1);
        assertThat(answers).filteredOn(r -> "true".equals(r.header("Idempotent-Replayed"))).hasSize(5);
        assertThat(rows.count(team.id())).isEqualTo(1);
        // Only the original answer carries the access token.
        assertThat(answers).filteredOn(r -> r.jsonPath().getString("accessToken") != null).hasSize(1);
    }

    @Test
    void theSameKeyWithAnotherBodyIs422AndCreatesNothing() {
        TestTeam team = TestTeam.create();
        String id = team.api().header("Idempotency-Key", "k1").body(BACKGROUND_START).post("/api/sandboxes")
                .then().statusCode(202).extract().path("id");
        team.api().header("Idempotency-Key", "k1")
                .body("{\"preset\":\"4vcpu_8gb_32gb\",\"wait\":false,\"ttlSeconds\":60}").post("/api/sandboxes")
                .then().statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("urn:sandplane:problem:idempotency-key-reused"))
                .body("sandboxId", equalTo(id));
        assertThat(rows.count(team.id())).isEqualTo(1);
        // Member order and spacing do not make another body.
        team.api().header("Idempotency-Key", "k1").body("{ \"wait\" : false, \"preset\" : \"4vcpu_8gb_32gb\" }")
                .post("/api/sandboxes").then().statusCode(202).body("id", equalTo(id)).header("Idempotent-Replayed", "true");
    }

    /** Keys that name no request: each must be refused as it is, never read as "no key" (which starts again each time). */
    static Stream<Arguments> badIdempotencyKeys() {
        return Stream.of(
                Arguments.of("empty", List.of("Idempotency-Key:")),
                Arguments.of("only spaces", List.of("Idempotency-Key:      ")),
                Arguments.of("only a tab", List.of("Idempotency-Key:\t")),
                Arguments.of("two keys", List.of("Idempotency-Key: one", "Idempotency-Key: two")),
                Arguments.of("the same key twice", List.of("Idempotency-Key: one", "Idempotency-Key: one")),
                Arguments.of("one key and an empty one", List.of("Idempotency-Key: one", "Idempotency-Key:")),
                Arguments.of("256 characters", List.of("Idempotency-Key: " + "k".repeat(256))),
                Arguments.of("a tab inside", List.of("Idempotency-Key: a\tb")),
                Arguments.of("a Latin-1 letter", List.of("Idempotency-Key: caf\u00e9")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badIdempotencyKeys")
    void anIdempotencyKeyThatIsNotOneKeyIs400AndStartsNothing(String name, List<String> keyLines) {
        TestTeam team = TestTeam.create();
        Map<String, String> starts = Map.of("/api/sandboxes", BACKGROUND_START,
                "/api/sandboxes/start", "{\"teamSlugOrId\":\"" + team.slug() + "\"}");
        starts.forEach((path, body) -> {
            // Twice: before, a key read as absent started a second sandbox.
            for (int attempt = 0; attempt < 2; attempt++) {
                List<String> headers = new ArrayList<>(List.of("Authorization: Bearer " + team.key(),
                        "Content-Type: application/json"));
                headers.addAll(keyLines);
                RawHttp.Response r = RawHttp.send(root, "POST", path, body, headers.toArray(String[]::new));
                assertThat(r.status()).as(path + " " + r.text()).isEqualTo(400);
                assertThat(r.header("Content-Type")).startsWith("application/problem+json");
                assertThat(r.json().path("errors").findValuesAsText("field")).containsExactly("Idempotency-Key");
            }
        });
        assertThat(rows.count(team.id())).isZero();
    }

    @Test
    void keysBelongToTheirTeam() {
        TestTeam a = TestTeam.create();
        TestTeam b = TestTeam.create();
        String first = a.api().header("Idempotency-Key", "shared").body(BACKGROUND_START).post("/api/sandboxes")
                .then().statusCode(202).extract().path("id");
        String second = b.api().header("Idempotency-Key", "shared").body(BACKGROUND_START).post("/api/sandboxes")
                .then().statusCode(202).extract().path("id");
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void aWaitingStartThatCannotReachTheProvisionerIsNotRecorded() {
        TestTeam team = TestTeam.create();
        team.api().header("Idempotency-Key", "unreachable").body("{\"preset\":\"4vcpu_8gb_32gb\"}").post("/api/sandboxes")
                .then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .body("type", equalTo("urn:sandplane:problem:unavailable"));
        assertThat(rows.count(team.id())).isZero();
        // The key is free again: a retry is a new attempt, not a replay of a start that never happened.
        team.api().header("Idempotency-Key", "unreachable").body("{\"preset\":\"4vcpu_8gb_32gb\"}").post("/api/sandboxes")
                .then().statusCode(503).header("Idempotent-Replayed", org.hamcrest.Matchers.nullValue());
        team.api().get("/api/team").then().statusCode(200).body("startsLastHour", equalTo(0));
    }

    @Test
    void aBackgroundStartThatCannotReachTheProvisionerEndsFailedWithItsReason() {
        TestTeam team = TestTeam.create();
        String id = team.api().body(BACKGROUND_START).post("/api/sandboxes").then().statusCode(202)
                .header("Location", org.hamcrest.Matchers.containsString("/api/sandboxes/sbx_"))
                .body("status", equalTo("PROVISIONING")).body("accessToken", notNullValue())
                .extract().path("id");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> rows.find(id).status == SandboxStatus.FAILED);
        team.api().get("/api/sandboxes/" + id).then().statusCode(200)
                .body("status", equalTo("FAILED"))
                .body("error", org.hamcrest.Matchers.containsString("provisioner unreachable"));
        team.api().get("/api/sandboxes/" + id + "/events").then().statusCode(200)
                .body("type", org.hamcrest.Matchers.hasItems("ACTION", "STATUS", "ERROR"))
                .body("find { it.type == 'STATUS' }.toStatus", equalTo("FAILED"));
    }
}
