package io.sandplane.sandboxapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.TestTeam;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * cmux's routes with the bodies a cmux frontend sends (cmux-api.md §1.1). Starts that reach a
 * provisioner are in the end-to-end tests; here the provisioner is unreachable.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class CmuxFacadeTest {

    /** Every StartSandboxBody field cmux may send, plus one a newer cmux might add. */
    static String fullStartBody(String teamSlugOrId) {
        return """
                {"teamSlugOrId":"%s","environmentId":"jh7abc123","snapshotId":"snapshot_std4c8g1","ttlSeconds":3600,
                 "metadata":{"taskRunId":"tr_1"},"taskRunId":"tr_1","taskRunJwt":"eyJhbGciOi.x.y","isCloudWorkspace":false,
                 "repoUrl":"https://github.com/acme/app","branch":"main","newBranch":"cmux/feature","depth":1,
                 "agentName":"claude/sonnet","prompt":"fix the tests","sessionId":"s-1"}
                """.formatted(teamSlugOrId);
    }

    @Inject
    SandboxRows rows;

    @Test
    void startAcceptsCmuxsFullBodyAndIgnoresWhatItDoesNotUse() {
        TestTeam team = TestTeam.create();
        // Everything validates and is admitted; the unreachable provisioner makes it a 503 and leaves nothing behind.
        team.api().body(fullStartBody(team.slug())).post("/api/sandboxes/start").then().statusCode(503)
                .contentType("application/problem+json").header("Retry-After", org.hamcrest.Matchers.notNullValue());
        team.api().body(fullStartBody(team.id().toString())).post("/api/sandboxes/start").then().statusCode(503);
        assertThat(rows.count(team.id())).isZero();
    }

    @Test
    void startRefusesATeamOtherThanTheKeys() {
        TestTeam team = TestTeam.create();
        TestTeam other = TestTeam.create();
        team.api().body(fullStartBody(other.slug())).post("/api/sandboxes/start").then().statusCode(403)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.startsWith("Forbidden: Not a member of this team"));
        team.api().body("{\"snapshotId\":\"snapshot_std4c8g1\"}").post("/api/sandboxes/start").then().statusCode(400);
        assertThat(rows.count(team.id())).isZero();
    }

    @Test
    void statusHasCmuxsExactShape() {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.RUNNING);
        int vmid = rows.vmid(id);
        rows.exposeDefaults(id, vmid);
        Map<String, Object> body = team.api().get("/api/sandboxes/" + id + "/status").then().statusCode(200)
                .extract().jsonPath().getMap("$");
        assertThat(body).containsExactlyInAnyOrderEntriesOf(Map.of(
                "running", true,
                "vscodeUrl", "http://port-39378-vm-" + vmid + ".sandplane.localhost:8088",
                "workerUrl", "http://port-39377-vm-" + vmid + ".sandplane.localhost:8088",
                "provider", "pve-lxc"));

        String stopped = rows.insert(team.id(), SandboxStatus.STOPPED);
        Map<String, Object> notRunning = team.api().get("/api/sandboxes/" + stopped + "/status").then().statusCode(200)
                .extract().jsonPath().getMap("$");
        assertThat(notRunning).containsExactlyInAnyOrderEntriesOf(Map.of("running", false, "provider", "pve-lxc"));
    }

    @Test
    void stopIs204WithAnEmptyBodyAndResumeSaysResumed() {
        TestTeam team = TestTeam.create();
        String stopped = rows.insert(team.id(), SandboxStatus.STOPPED);
        // cmux posts stop without a body or content type.
        var stop = io.restassured.RestAssured.given().header("Authorization", "Bearer " + team.key())
                .post("/api/sandboxes/" + stopped + "/stop").then().statusCode(204).extract();
        assertThat(stop.asString()).isEmpty();
        String running = rows.insert(team.id(), SandboxStatus.RUNNING);
        io.restassured.RestAssured.given().header("Authorization", "Bearer " + team.key())
                .post("/api/sandboxes/" + running + "/resume?teamSlugOrId=" + team.slug()).then().statusCode(200)
                .body("resumed", equalTo(true));
    }

    @Test
    void configAndHealthAreOpenAndShapedLikeCmuxs() {
        io.restassured.RestAssured.given().get("/api/config/sandbox").then().statusCode(200)
                .body("provider", equalTo("pve-lxc"))
                .body("providerDisplayName", equalTo("Proxmox LXC"))
                .body("defaultPresetId", equalTo("snapshot_std4c8g1"))
                .body("presets.presetId", org.hamcrest.Matchers.contains("4vcpu_8gb_32gb", "6vcpu_8gb_40gb"))
                .body("presets[0].id", equalTo("snapshot_std4c8g1"))
                .body("presets[0].label", equalTo("Standard workspace"))
                .body("presets[0].cpu", equalTo("4 vCPU"))
                .body("presets[0].versions[0].version", equalTo(1))
                .body("presets[0].versions[0].snapshotId", equalTo("snapshot_std4c8g1"))
                .body("capabilities.supportsHibernate", equalTo(false))
                .body("capabilities.supportsSnapshots", equalTo(true))
                .body("capabilities.supportsResize", equalTo(true))
                .body("capabilities.supportsNestedVirt", equalTo(false))
                .body("capabilities.supportsGpu", equalTo(false));
        // No provisioner here: unhealthy, and 503 so a load balancer or UI can tell.
        io.restassured.RestAssured.given().get("/api/health/sandbox").then().statusCode(503)
                .body("status", equalTo("unhealthy"))
                .body("provider", equalTo("pve-lxc"))
                .body("providerStatus", equalTo("disconnected"))
                .body("timestamp", org.hamcrest.Matchers.notNullValue());
        io.restassured.RestAssured.given().get("/api/health").then().statusCode(200)
                .body("status", equalTo("healthy")).body("version", equalTo("1.0.0"));
    }

    @Test
    void theApiIsDocumented() {
        io.restassured.RestAssured.given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths", org.hamcrest.Matchers.hasKey("/api/sandboxes"))
                .body("paths", org.hamcrest.Matchers.hasKey("/api/sandboxes/{id}/events"))
                .body("paths", org.hamcrest.Matchers.hasKey("/api/sandboxes/start"))
                .body("paths", org.hamcrest.Matchers.hasKey("/api/admin/teams"));
        io.restassured.RestAssured.given().get("/q/swagger-ui/").then().statusCode(200);
    }
}
