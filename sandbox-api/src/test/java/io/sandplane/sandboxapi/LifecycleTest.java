package io.sandplane.sandboxapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.TestTeam;
import jakarta.inject.Inject;
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
    void ttlExtendsALiveSandboxFromNowAndRecordsIt() {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.PAUSED);
        Instant before = Instant.now();
        team.api().body("{\"ttlSeconds\":7200}").post("/api/sandboxes/" + id + "/ttl").then().statusCode(200)
                .body("id", equalTo(id));
        Instant expires = rows.find(id).expiresAt;
        assertThat(expires).isBetween(before.plus(Duration.ofSeconds(7199)), Instant.now().plus(Duration.ofSeconds(7201)));
        // A keepalive without a body uses the sandbox's own TTL (3600 s).
        team.api().post("/api/sandboxes/" + id + "/ttl").then().statusCode(200);
        assertThat(rows.find(id).expiresAt).isBefore(expires);
        team.api().get("/api/sandboxes/" + id + "/events").then()
                .body("detail", org.hamcrest.Matchers.hasItem(org.hamcrest.Matchers.startsWith("ttl extended to 7200s")));
        String deleted = rows.insert(team.id(), SandboxStatus.DELETED);
        team.api().body("{\"ttlSeconds\":60}").post("/api/sandboxes/" + deleted + "/ttl").then().statusCode(409)
                .body("currentStatus", equalTo("DELETED"));
    }
}
