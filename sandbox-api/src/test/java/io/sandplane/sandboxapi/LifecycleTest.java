package io.sandplane.sandboxapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.sandboxapi.support.RawHttp;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.TestTeam;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Commands against the state machine. Legal commands go to the provisioner, which these tests leave
 * unreachable: that answer (503 + Retry-After, row unchanged) is checked here; the real round trips
 * are in the end-to-end tests.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class LifecycleTest {

    @Inject
    SandboxRows rows;

    @TestHTTPResource("/")
    URI root;

    @ParameterizedTest(name = "{1} a {0} sandbox is 409")
    @CsvSource({
            "DELETED, resume, RUNNING",
            "DELETED, stop, STOPPED",
            "DELETED, pause, PAUSED",
            "FAILED, resume, RUNNING",
            "FAILED, stop, STOPPED",
            "PROVISIONING, pause, PAUSED",
            "PROVISIONING, resume, RUNNING",
            "STOPPED, pause, PAUSED",
            "DELETING, stop, STOPPED",
            "LOST, resume, RUNNING" })
    void anIllegalTransitionIs409WithTheCurrentState(SandboxStatus status, String command, String requested) {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), status);
        team.api().post("/api/sandboxes/" + id + "/" + command).then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:sandplane:problem:illegal-transition"))
                .body("currentStatus", equalTo(status.name()))
                .body("requestedStatus", equalTo(requested));
        assertThat(rows.find(id).status).isEqualTo(status);
    }

    @Test
    void aCommandAlreadyDoneAnswersWithTheSandbox() {
        TestTeam team = TestTeam.create();
        String running = rows.insert(team.id(), SandboxStatus.RUNNING);
        team.api().post("/api/sandboxes/" + running + "/resume").then().statusCode(200)
                .body("resumed", equalTo(true)).body("status", equalTo("RUNNING")).body("id", equalTo(running));
        String stopped = rows.insert(team.id(), SandboxStatus.STOPPED);
        team.api().post("/api/sandboxes/" + stopped + "/stop").then().statusCode(204);
        team.api().header("Prefer", "return=representation").post("/api/sandboxes/" + stopped + "/stop").then()
                .statusCode(200).body("status", equalTo("STOPPED"));
        String paused = rows.insert(team.id(), SandboxStatus.PAUSED);
        team.api().post("/api/sandboxes/" + paused + "/pause").then().statusCode(200).body("status", equalTo("PAUSED"));
        String deleted = rows.insert(team.id(), SandboxStatus.DELETED);
        team.api().delete("/api/sandboxes/" + deleted).then().statusCode(200).body("status", equalTo("DELETED"));
    }

    @ParameterizedTest(name = "{1} while the provisioner is unreachable")
    @CsvSource({ "RUNNING, stop", "RUNNING, pause", "STOPPED, resume", "RUNNING, delete", "FAILED, delete" })
    void aLegalCommandWithTheProvisionerUnreachableIs503AndChangesNothing(SandboxStatus status, String command) {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), status);
        var spec = team.api();
        var response = command.equals("delete") ? spec.delete("/api/sandboxes/" + id)
                : spec.post("/api/sandboxes/" + id + "/" + command);
        response.then().statusCode(503).contentType("application/problem+json").header("Retry-After", notNullValue());
        assertThat(rows.find(id).status).isEqualTo(status);
    }

    @Test
    void execNeedsARunningSandbox() {
        TestTeam team = TestTeam.create();
        String stopped = rows.insert(team.id(), SandboxStatus.STOPPED);
        team.api().body("{\"command\":\"true\"}").post("/api/sandboxes/" + stopped + "/exec").then().statusCode(409)
                .body("type", equalTo("urn:sandplane:problem:not-running")).body("currentStatus", equalTo("STOPPED"));
        String running = rows.insert(team.id(), SandboxStatus.RUNNING);
        team.api().body("{\"command\":\"true\",\"timeoutMs\":1000}").post("/api/sandboxes/" + running + "/exec")
                .then().statusCode(503).header("Retry-After", notNullValue());
    }

    @Test
    void servicesGoThroughTheUrlRouterAnd503WhenItIsUnreachable() {
        TestTeam team = TestTeam.create();
        String running = rows.insert(team.id(), SandboxStatus.RUNNING);
        team.api().get("/api/sandboxes/" + running + "/services").then().statusCode(503).header("Retry-After", notNullValue());
        team.api().body("{\"port\":5173}").post("/api/sandboxes/" + running + "/services").then().statusCode(503);
        team.api().delete("/api/sandboxes/" + running + "/services/preview").then().statusCode(503);
        String deleted = rows.insert(team.id(), SandboxStatus.DELETED);
        team.api().body("{\"port\":5173}").post("/api/sandboxes/" + deleted + "/services").then().statusCode(409)
                .body("currentStatus", equalTo("DELETED"));
    }

    @Test
    void aStartsTtlCountsFromItsAdmissionSoProvisioningTimeCounts() {
        TestTeam team = TestTeam.create();
        var started = team.api().body("{\"ttlSeconds\":600,\"wait\":false}").post("/api/sandboxes").then()
                .statusCode(202).body("ttlSeconds", equalTo(600)).extract();
        Instant created = Instant.parse(started.path("createdAt"));
        assertThat(Instant.parse(started.<String>path("expiresAt"))).isEqualTo(created.plusSeconds(600));
        assertThat(rows.find(started.path("id")).expiresAt).isEqualTo(created.plusSeconds(600));
    }

    @Test
    void ttlSetsANewTtlFromNowThatLaterKeepalivesReuse() {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.PAUSED);
        Instant before = Instant.now();
        team.api().body("{\"ttlSeconds\":7200}").post("/api/sandboxes/" + id + "/ttl").then().statusCode(200)
                .body("id", equalTo(id)).body("ttlSeconds", equalTo(7200));
        Instant expires = rows.find(id).expiresAt;
        assertThat(expires).isBetween(before.plus(Duration.ofSeconds(7200)), Instant.now().plus(Duration.ofSeconds(7200)));
        assertThat(rows.find(id).ttlSeconds).isEqualTo(7200);
        // A keepalive without a body restarts the sandbox's TTL, now 7200 s, from now.
        Instant beforeKeepalive = Instant.now();
        team.api().post("/api/sandboxes/" + id + "/ttl").then().statusCode(200).body("ttlSeconds", equalTo(7200));
        assertThat(rows.find(id).expiresAt).isAfterOrEqualTo(expires)
                .isBetween(beforeKeepalive.plus(Duration.ofSeconds(7200)), Instant.now().plus(Duration.ofSeconds(7200)));
        // A shorter TTL shortens it: the TTL is set, not only extended.
        team.api().body("{\"ttlSeconds\":60}").post("/api/sandboxes/" + id + "/ttl").then().statusCode(200)
                .body("ttlSeconds", equalTo(60));
        assertThat(rows.find(id).expiresAt).isBefore(Instant.now().plus(Duration.ofSeconds(61)));
        team.api().get("/api/sandboxes/" + id + "/events").then()
                .body("detail", org.hamcrest.Matchers.hasItem(org.hamcrest.Matchers.startsWith("ttl set to 7200s from now")))
                .body("detail", org.hamcrest.Matchers.hasItem(org.hamcrest.Matchers.startsWith("ttl restarted: 7200s from now")));
        String deleted = rows.insert(team.id(), SandboxStatus.DELETED);
        team.api().body("{\"ttlSeconds\":60}").post("/api/sandboxes/" + deleted + "/ttl").then().statusCode(409)
                .body("currentStatus", equalTo("DELETED"));
        String deleting = rows.insert(team.id(), SandboxStatus.DELETING);
        team.api().post("/api/sandboxes/" + deleting + "/ttl").then().statusCode(409)
                .contentType("application/problem+json").body("currentStatus", equalTo("DELETING"));
    }

    /** What curl sends for {@code -X POST} (no body at all), {@code -d ''} (an empty form), and a client's empty JSON. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no body, no Content-Type, no Content-Length|",
            "Content-Length: 0, no Content-Type|Content-Length: 0",
            "an empty form (curl -d '')|Content-Type: application/x-www-form-urlencoded;Content-Length: 0" })
    void aKeepaliveNeedsNeitherABodyNorAContentType(String form, String headers) {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.RUNNING);
        Instant before = Instant.now();
        String[] lines = headers == null ? new String[0] : headers.split(";");
        RawHttp.Response r = RawHttp.send(root, "POST", "/api/sandboxes/" + id + "/ttl", (byte[]) null,
                java.util.stream.Stream.concat(java.util.stream.Stream.of("Authorization: Bearer " + team.key()),
                        java.util.Arrays.stream(lines)).toArray(String[]::new));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().get("ttlSeconds").asInt()).isEqualTo(3600);
        assertThat(rows.find(id).expiresAt).isBetween(before.plusSeconds(3600), Instant.now().plusSeconds(3600));
    }

    /** HTTP/2 frames a body without a length: a keepalive there (no body, so no Content-Length either) still works. */
    @Test
    void aKeepaliveOverHttp2NeedsNoBodyEither() throws Exception {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.RUNNING);
        java.net.http.HttpClient h2 = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2).build();
        // h2c: the first request upgrades the connection
        var health = h2.send(java.net.http.HttpRequest.newBuilder(root.resolve("/api/health")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(health.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        Instant before = Instant.now();
        var keepalive = h2.send(java.net.http.HttpRequest.newBuilder(root.resolve("/api/sandboxes/" + id + "/ttl"))
                .header("Authorization", "Bearer " + team.key()).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(keepalive.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        assertThat(keepalive.statusCode()).as(keepalive.body()).isEqualTo(200);
        assertThat(rows.find(id).expiresAt).isAfterOrEqualTo(before.plusSeconds(3600));
    }

    @Test
    void aTtlBodyWithoutAContentTypeIs415() {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.RUNNING);
        Instant expires = rows.find(id).expiresAt;
        RawHttp.Response r = RawHttp.send(root, "POST", "/api/sandboxes/" + id + "/ttl", "{\"ttlSeconds\":60}",
                "Authorization: Bearer " + team.key());
        assertThat(r.status()).isEqualTo(415);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(rows.find(id).expiresAt).isEqualTo(expires);
    }

    @Test
    void aNewAccessTokenIsShownOnceAndReplacesTheStoredHash() {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.RUNNING);
        String before = rows.find(id).accessTokenHash;
        String token = team.api().post("/api/sandboxes/" + id + "/access-token").then().statusCode(200)
                .contentType("application/json").body("id", equalTo(id)).body("status", equalTo("RUNNING"))
                .extract().path("accessToken");
        assertThat(token).startsWith("sbt_");
        assertThat(rows.find(id).accessTokenHash).isEqualTo(io.sandplane.model.Secrets.sha256Hex(token)).isNotEqualTo(before);
        // Shown once: reads do not repeat it; a second call issues yet another one.
        team.api().get("/api/sandboxes/" + id).then().body("accessToken", org.hamcrest.Matchers.nullValue());
        String again = team.api().post("/api/sandboxes/" + id + "/access-token").then().statusCode(200)
                .extract().path("accessToken");
        assertThat(again).isNotEqualTo(token);
        assertThat(rows.find(id).accessTokenHash).isEqualTo(io.sandplane.model.Secrets.sha256Hex(again));
        team.api().get("/api/sandboxes/" + id + "/events").then()
                .body("detail", org.hamcrest.Matchers.hasItem(org.hamcrest.Matchers.startsWith("access token replaced")))
                .body("detail", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(
                        org.hamcrest.Matchers.containsString(token))));
        // A sandbox still provisioning gets one too (a replayed wait=false start); one that is gone does not.
        String provisioning = rows.insert(team.id(), SandboxStatus.PROVISIONING);
        team.api().post("/api/sandboxes/" + provisioning + "/access-token").then().statusCode(200)
                .body("accessToken", org.hamcrest.Matchers.startsWith("sbt_"));
        for (SandboxStatus gone : new SandboxStatus[] { SandboxStatus.DELETING, SandboxStatus.DELETED,
                SandboxStatus.FAILED, SandboxStatus.LOST }) {
            String other = rows.insert(team.id(), gone);
            team.api().post("/api/sandboxes/" + other + "/access-token").then().statusCode(409)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:sandplane:problem:not-live"))
                    .body("currentStatus", equalTo(gone.name()));
            assertThat(rows.find(other).accessTokenHash)
                    .isEqualTo(io.sandplane.model.Secrets.sha256Hex(SandboxRows.accessToken(other)));
        }
    }
}
