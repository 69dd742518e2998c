package io.sandplane.sandboxapi;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sandplane.devsupport.provisioner.SharedProvisioner;
import io.sandplane.devsupport.simulator.Fault;
import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.SharedUrlRouter;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.SseClient;
import io.sandplane.sandboxapi.support.TestTeam;
import io.sandplane.sandboxapi.support.UpstreamsResource;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Starts, commands and the cmux facade against the real provisioner, which drives the pve-simulator
 * over HTTP (guests that really answer on loopback), and the real url-router.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = UpstreamsResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class EndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    SandboxRows rows;

    @TestHTTPResource("/api/sandboxes/")
    URI sandboxes;

    /** Guests on the simulator tagged with this sandbox id. */
    private static long guestsOf(String sandboxId) {
        return SharedSimulator.get().control().guests().stream()
                .filter(g -> g.tags() != null && Arrays.asList(g.tags().split(";")).contains(sandboxId)).count();
    }

    @Test
    void aWaitingStartAnswersWhenRunningWithUrlsAndTheAccessToken() {
        TestTeam team = TestTeam.create();
        Response r = team.api().body("{\"preset\":\"4vcpu_8gb_32gb\",\"metadata\":{\"suite\":\"e2e\"}}")
                .post("/api/sandboxes");
        r.then().statusCode(201)
                .header("Location", org.hamcrest.Matchers.containsString("/api/sandboxes/sbx_"))
                .header("X-RateLimit-Limit", "100")
                .header("Server-Timing", org.hamcrest.Matchers.matchesPattern("admission;dur=[0-9.]+, provisioner;dur=[0-9.]+, api;dur=[0-9.]+"))
                .body("status", equalTo("RUNNING"))
                .body("provider", equalTo("pve-lxc"))
                .body("snapshotId", equalTo("snapshot_std4c8g1"))
                .body("vmid", greaterThan(99))
                .body("node", notNullValue())
                .body("accessToken", startsWith("sbt_"))
                .body("urls.vscode", startsWith("http://port-39378-vm-"))
                .body("urls.worker", startsWith("http://port-39377-vm-"))
                .body("metadata.suite", equalTo("e2e"));
        String id = r.path("id");
        assertThat(guestsOf(id)).isEqualTo(1);
        // The TTL counts from the admission: provisioning time is part of it.
        assertThat(Instant.parse(r.<String>path("expiresAt")))
                .isEqualTo(Instant.parse(r.<String>path("createdAt")).plusSeconds(3600));
        team.api().get("/api/sandboxes/" + id).then().statusCode(200).body("status", equalTo("RUNNING"))
                .body("accessToken", org.hamcrest.Matchers.nullValue());
        team.api().delete("/api/sandboxes/" + id).then().statusCode(200);
    }

    @Test
    void aBackgroundStartStreamsItsStepsInOrderUntilRunning() {
        TestTeam team = TestTeam.create();
        String id = team.api().body("{\"snapshotId\":\"snapshot_std4c8g1\",\"wait\":false}").post("/api/sandboxes")
                .then().statusCode(202).body("status", equalTo("PROVISIONING")).extract().path("id");
        List<String> seen = new ArrayList<>();
        try (SseClient stream = SseClient.open(sandboxes.resolve(id + "/events"),
                Map.of("Authorization", "Bearer " + team.key(), "Accept", "text/event-stream"))) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!seen.contains("STATUS:RUNNING") && System.nanoTime() < deadline) {
                SseClient.Event e = stream.next(1, WAIT).getFirst();
                String type = e.data().get("type").asText();
                seen.add(switch (type) {
                    case "STEP" -> "STEP:" + e.data().get("step").asText();
                    case "STATUS" -> "STATUS:" + e.data().get("toStatus").asText();
                    default -> type;
                });
            }
        }
        List<String> expected = new ArrayList<>(Arrays.stream(ProvisionStep.values()).map(s -> "STEP:" + s.name()).toList());
        expected.add("STATUS:RUNNING");
        assertThat(seen.stream().filter(s -> s.startsWith("STEP:") || s.equals("STATUS:RUNNING")).toList())
                .containsExactlyElementsOf(expected);
        assertThat(seen.getFirst()).isEqualTo("ACTION");
        team.api().delete("/api/sandboxes/" + id).then().statusCode(200);
    }

    @Test
    void anIdempotentReplayReturnsTheSameSandboxAndNoSecondGuest() {
        TestTeam team = TestTeam.create();
        String body = "{\"preset\":\"4vcpu_8gb_32gb\",\"ttlSeconds\":600}";
        String first = team.api().header("Idempotency-Key", "e2e-1").body(body).post("/api/sandboxes")
                .then().statusCode(201).extract().path("id");
        team.api().header("Idempotency-Key", "e2e-1").body(body).post("/api/sandboxes")
                .then().statusCode(201).header("Idempotent-Replayed", "true").body("id", equalTo(first))
                .body("status", equalTo("RUNNING"))
                .body("accessToken", org.hamcrest.Matchers.nullValue());
        // A replay does not repeat the token; a new one is issued on request.
        team.api().post("/api/sandboxes/" + first + "/access-token").then().statusCode(200)
                .body("accessToken", startsWith("sbt_"));
        team.api().header("Idempotency-Key", "e2e-1").body("{\"preset\":\"4vcpu_8gb_32gb\",\"ttlSeconds\":601}")
                .post("/api/sandboxes").then().statusCode(422);
        assertThat(rows.count(team.id())).isEqualTo(1);
        assertThat(guestsOf(first)).isEqualTo(1);
        team.api().delete("/api/sandboxes/" + first).then().statusCode(200);
    }

    @Test
    void aWaitingReplayWaitsForTheOriginalStartAndAnswersRunning() throws Exception {
        TestTeam team = TestTeam.create();
        String body = "{\"preset\":\"4vcpu_8gb_32gb\",\"ttlSeconds\":300}";
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Response> original = pool.submit(() -> team.api().header("Idempotency-Key", "twice").body(body)
                    .post("/api/sandboxes"));
            // The second arrives while the first is provisioning and polls the row until it is RUNNING.
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> rows.count(team.id()) == 1);
            Future<Response> replay = pool.submit(() -> team.api().header("Idempotency-Key", "twice").body(body)
                    .post("/api/sandboxes"));
            Response first = original.get();
            Response second = replay.get();
            first.then().statusCode(201).body("status", equalTo("RUNNING"));
            second.then().statusCode(201).header("Idempotent-Replayed", "true")
                    .body("id", equalTo(first.path("id"))).body("status", equalTo("RUNNING"))
                    .body("urls.vscode", equalTo(first.path("urls.vscode")));
            assertThat(guestsOf(first.path("id"))).isEqualTo(1);
            team.api().delete("/api/sandboxes/" + first.path("id")).then().statusCode(200);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Status of a GET through the real url-router's proxy to the host of a service URL, with a token. */
    private static int throughProxy(String serviceUrl, String token) {
        return given().baseUri(SharedUrlRouter.get().proxyUrl()).port(SharedUrlRouter.get().proxyPort())
                .header("Host", URI.create(serviceUrl).getAuthority())
                .header("X-Sandplane-Token", token)
                .redirects().follow(false)
                .get("/").statusCode();
    }

    @Test
    void aNewAccessTokenOpensTheServicesAndTheOldOneIsRefusedWithinASecond() {
        TestTeam team = TestTeam.create();
        var started = team.api().body("{\"ttlSeconds\":600}").post("/api/sandboxes").then().statusCode(201).extract();
        String id = started.path("id");
        String oldToken = started.path("accessToken");
        String vscode = started.path("urls.vscode");
        // The router caches the route (and the token's hash) on this first request.
        assertThat(throughProxy(vscode, oldToken)).isEqualTo(200);
        assertThat(throughProxy(vscode, oldToken)).isEqualTo(200);

        String newToken = team.api().post("/api/sandboxes/" + id + "/access-token").then().statusCode(200)
                .body("id", equalTo(id)).extract().path("accessToken");
        long replaced = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> throughProxy(vscode, oldToken) == 401);
        long refusedAfterMs = (System.nanoTime() - replaced) / 1_000_000;
        assertThat(refusedAfterMs).isLessThanOrEqualTo(1000);
        assertThat(throughProxy(vscode, newToken)).isEqualTo(200);
        assertThat(throughProxy(started.path("urls.worker"), newToken)).isEqualTo(200);
        assertThat(throughProxy(started.path("urls.worker"), oldToken)).isEqualTo(401);
        team.api().delete("/api/sandboxes/" + id).then().statusCode(200);
    }

    @Test
    void aStartTheProvisionerRollsBackIs502WithTheSandboxAndNothingLeftBehind() {
        TestTeam team = TestTeam.create();
        Fault clone = SharedSimulator.get().control()
                .addFault(Fault.error("POST", "/nodes/[^/]+/lxc/\\d+/clone", 500, "storage 'local-lvm' is full"));
        String id;
        try {
            var answer = team.api().header("Idempotency-Key", "rolled-back").body("{\"ttlSeconds\":300}")
                    .post("/api/sandboxes").then().statusCode(502).contentType("application/problem+json")
                    .body("type", equalTo("urn:sandplane:problem:start-failed"))
                    .body("sandboxId", startsWith("sbx_"))
                    .body("detail", org.hamcrest.Matchers.containsString("storage 'local-lvm' is full"))
                    .extract();
            id = answer.path("sandboxId");
        } finally {
            SharedSimulator.get().control().removeFault(clone.id());
        }
        // Recorded, FAILED with its reason, no guest; the failed start still counts against the hourly rate.
        team.api().get("/api/sandboxes/" + id).then().statusCode(200).body("status", equalTo("FAILED"))
                .body("error", org.hamcrest.Matchers.containsString("storage 'local-lvm' is full"));
        assertThat(guestsOf(id)).isZero();
        // A replay answers as the start did, naming the same sandbox: never a second attempt under that key.
        team.api().header("Idempotency-Key", "rolled-back").body("{\"ttlSeconds\":300}").post("/api/sandboxes")
                .then().statusCode(502).body("type", equalTo("urn:sandplane:problem:start-failed"))
                .body("sandboxId", equalTo(id));
        assertThat(rows.count(team.id())).isEqualTo(1);
    }

    @Test
    void commandsExecAndTheStateMachineRoundTrip() {
        TestTeam team = TestTeam.create();
        String id = team.api().body("{}").post("/api/sandboxes").then().statusCode(201).extract().path("id");
        team.api().body("{\"command\":\"echo hello\",\"timeoutMs\":10000}").post("/api/sandboxes/" + id + "/exec")
                .then().statusCode(200).body("exitCode", equalTo(0)).body("stdout", equalTo("hello\n"))
                .body("truncated", equalTo(false));
        // byte for byte: empty lines, CRs, the last newline; bytes that are not UTF-8 also as base64
        team.api().body("{\"command\":\"printf 'x\\\\n\\\\ny\\\\r\\\\n'; printf '\\\\377ok' >&2\"}")
                .post("/api/sandboxes/" + id + "/exec").then().statusCode(200)
                .body("stdout", equalTo("x\n\ny\r\n"))
                .body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("stdoutBase64")))
                .body("stderr", equalTo("\uFFFDok"))
                .body("stderrBase64", equalTo("/29r"))
                .body("truncated", equalTo(false)).body("timedOut", equalTo(false));
        team.api().post("/api/sandboxes/" + id + "/stop").then().statusCode(204);
        team.api().get("/api/sandboxes/" + id).then().body("status", equalTo("STOPPED"));
        team.api().body("{\"command\":\"true\"}").post("/api/sandboxes/" + id + "/exec").then().statusCode(409);
        team.api().post("/api/sandboxes/" + id + "/resume").then().statusCode(200)
                .body("resumed", equalTo(true)).body("status", equalTo("RUNNING"));
        team.api().post("/api/sandboxes/" + id + "/pause").then().statusCode(200).body("status", equalTo("PAUSED"));
        team.api().post("/api/sandboxes/" + id + "/resume").then().statusCode(200).body("status", equalTo("RUNNING"));
        team.api().body("{\"ttlSeconds\":120}").post("/api/sandboxes/" + id + "/ttl").then().statusCode(200);
        team.api().delete("/api/sandboxes/" + id).then().statusCode(200).body("status", equalTo("DELETED"));
        assertThat(guestsOf(id)).isZero();
        team.api().post("/api/sandboxes/" + id + "/resume").then().statusCode(409)
                .body("currentStatus", equalTo("DELETED"));
        team.api().get("/api/sandboxes/" + id + "/events").then().statusCode(200)
                .body("findAll { it.type == 'STATUS' }.toStatus", org.hamcrest.Matchers.hasItems(
                        "RUNNING", "STOPPED", "PAUSED", "DELETING", "DELETED"));
    }

    @Test
    void cmuxStartStatusStopAndResumeWithCmuxsBodies() {
        TestTeam team = TestTeam.create();
        Map<String, Object> started = team.api().body(CmuxFacadeTest.fullStartBody(team.slug()))
                .post("/api/sandboxes/start").then().statusCode(200).contentType("application/json")
                .extract().jsonPath().getMap("$");
        assertThat(started).containsOnlyKeys("instanceId", "vscodeUrl", "workerUrl", "vncUrl", "xtermUrl", "provider",
                "accessToken");
        assertThat((String) started.get("accessToken")).startsWith("sbt_");
        assertThat(started.get("provider")).isEqualTo("pve-lxc");
        assertThat((String) started.get("vscodeUrl")).startsWith("http://port-39378-vm-");
        assertThat((String) started.get("xtermUrl")).startsWith("http://port-39383-vm-");
        String id = (String) started.get("instanceId");
        var plain = given().header("Authorization", "Bearer " + team.key());
        Map<String, Object> status = plain.get("/api/sandboxes/" + id + "/status").then().statusCode(200)
                .extract().jsonPath().getMap("$");
        assertThat(status).containsOnlyKeys("running", "vscodeUrl", "workerUrl", "provider")
                .containsEntry("running", true).containsEntry("vscodeUrl", started.get("vscodeUrl"));
        // cmux's stop: no body, no content type; 204 and nothing in it.
        assertThat(given().header("Authorization", "Bearer " + team.key()).post("/api/sandboxes/" + id + "/stop")
                .then().statusCode(204).extract().asString()).isEmpty();
        given().header("Authorization", "Bearer " + team.key()).get("/api/sandboxes/" + id + "/status").then()
                .body("running", equalTo(false));
        given().header("Authorization", "Bearer " + team.key())
                .post("/api/sandboxes/" + id + "/resume?teamSlugOrId=" + team.slug()).then().statusCode(200)
                .body("resumed", equalTo(true));
        given().header("Authorization", "Bearer " + team.key()).get("/api/sandboxes/" + id + "/status").then()
                .body("running", equalTo(true));
        // cmux starts pause at TTL and wake on HTTP.
        team.api().get("/api/sandboxes/" + id).then().body("ttlAction", equalTo("pause")).body("wakeOnHttp", equalTo(true))
                .body("metadata.taskRunId", equalTo("tr_1"));
        team.api().delete("/api/sandboxes/" + id).then().statusCode(200);
    }

    @Test
    void theLiveQuotaHoldsForConcurrentRealStarts() throws Exception {
        TestTeam team = TestTeam.builder().maxLive(2).create();
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return team.api().body("{\"ttlSeconds\":300}").post("/api/sandboxes");
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Response> f : futures) {
                statuses.add(f.get().statusCode());
            }
            assertThat(statuses).filteredOn(s -> s == 201).hasSize(2);
            assertThat(statuses).filteredOn(s -> s == 429).hasSize(3);
        } finally {
            pool.shutdownNow();
        }
        List<String> ids = team.api().get("/api/sandboxes").then().extract().path("sandboxes.id");
        assertThat(ids).hasSize(2);
        ids.forEach(id -> team.api().delete("/api/sandboxes/" + id).then().statusCode(200));
    }

    @Test
    void healthReportsAReachableProviderWithTemplates() {
        given().get("/api/health/sandbox").then().statusCode(200)
                .body("status", equalTo("healthy"))
                .body("providerStatus", equalTo("connected"))
                .body("templatesAvailable", greaterThan(0))
                .body("latencyMs", notNullValue());
        assertThat(SharedProvisioner.get().url()).startsWith("http://");
    }
}
