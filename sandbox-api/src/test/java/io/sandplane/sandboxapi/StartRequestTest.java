package io.sandplane.sandboxapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.lifecycle.TtlAction;
import io.sandplane.sandboxapi.support.RawHttp;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.TestTeam;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a start records: every member of the request lands on the row and in the answer, defaults
 * apply, and every form of snapshot id resolves. Background starts (wait=false) answer with the row
 * as admitted; the provisioner is unreachable here, so nothing is created on a hypervisor.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class StartRequestTest {

    @Inject
    SandboxRows rows;

    @TestHTTPResource("/")
    URI root;

    @Test
    void everyMemberOfAStartIsRecordedAndShown() {
        TestTeam team = TestTeam.create();
        String id = team.api().body("""
                {"preset":"6vcpu_8gb_40gb","version":1,"ttlSeconds":120,"ttlAction":"delete","idleTimeoutSeconds":300,
                 "wakeOnHttp":true,"metadata":{"repo":"acme/app","branch":"main"},"wait":false}""")
                .post("/api/sandboxes").then().statusCode(202)
                .body("status", equalTo("PROVISIONING"))
                .body("provider", equalTo("pve-lxc"))
                .body("preset", equalTo("6vcpu_8gb_40gb"))
                .body("presetVersion", equalTo(1))
                .body("snapshotId", equalTo("snapshot_perf6c8g1"))
                .body("ttlSeconds", equalTo(120))
                .body("ttlAction", equalTo("delete"))
                .body("idleTimeoutSeconds", equalTo(300))
                .body("wakeOnHttp", equalTo(true))
                .body("metadata", equalTo(Map.of("repo", "acme/app", "branch", "main")))
                .extract().path("id");
        Sandbox row = rows.find(id);
        assertThat(row.presetId).isEqualTo("6vcpu_8gb_40gb");
        assertThat(row.templateVersion).isEqualTo(1);
        assertThat(row.ttlSeconds).isEqualTo(120);
        assertThat(row.ttlAction).isEqualTo(TtlAction.DELETE);
        assertThat(row.idleTimeoutSeconds).isEqualTo(300);
        assertThat(row.wakeOnHttp).isTrue();
        assertThat(row.metadata).containsExactlyInAnyOrderEntriesOf(Map.of("repo", "acme/app", "branch", "main"));
        assertThat(row.expiresAt).isEqualTo(row.createdAt.plusSeconds(120));
    }

    @Test
    void anEmptyStartGetsTheDefaults() {
        TestTeam team = TestTeam.create();
        team.api().body("{\"wait\":false}").post("/api/sandboxes").then().statusCode(202)
                .body("preset", equalTo("4vcpu_8gb_32gb"))
                .body("presetVersion", equalTo(1))
                .body("snapshotId", equalTo("snapshot_std4c8g1"))
                .body("ttlSeconds", equalTo(3600))
                .body("ttlAction", equalTo("pause"))
                .body("idleTimeoutSeconds", nullValue())
                .body("wakeOnHttp", equalTo(false))
                .body("metadata", equalTo(Map.of()));
    }

    /** The test profile's SANDPLANE_API_PUBLIC_URL (application.properties), with its trailing slash dropped. */
    private static final String PUBLIC_URL = "https://api.sandplane.test/edge";

    @Test
    void locationsComeFromThePublicUrlNeverFromTheRequestsHost() {
        TestTeam team = TestTeam.create();
        String[] spoofed = { "Host: evil.example:666", "X-Forwarded-Host: evil.example", "X-Forwarded-Proto: gopher",
                "Forwarded: host=evil.example;proto=http" };
        RawHttp.Response start = RawHttp.send(root, "POST", "/api/sandboxes", "{\"wait\":false}",
                concat(spoofed, "Authorization: Bearer " + team.key(), "Content-Type: application/json"));
        assertThat(start.status()).as(start.text()).isEqualTo(202);
        assertThat(start.header("Location")).isEqualTo(PUBLIC_URL + "/api/sandboxes/" + start.json().get("id").asText());

        String slug = "loc-" + team.slug();
        RawHttp.Response created = RawHttp.send(root, "POST", "/api/admin/teams", "{\"slug\":\"" + slug + "\",\"name\":\"x\"}",
                concat(spoofed, "Authorization: " + TestTeam.OPERATOR, "Content-Type: application/json"));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo(PUBLIC_URL + "/api/admin/teams/" + created.json().get("id").asText());
    }

    private static String[] concat(String[] a, String... b) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b)).toArray(String[]::new);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "snapshot_std4c8g1, 4vcpu_8gb_32gb",
            "snapshot_perf6c8g1, 6vcpu_8gb_40gb",
            "pvelxc_4vcpu_8gb_32gb_v1, 4vcpu_8gb_32gb",
            "pvelxc_6vcpu_8gb_40gb_v1, 6vcpu_8gb_40gb",
            "pve_4vcpu_8gb_32gb_9003, 4vcpu_8gb_32gb" })
    void everyFormOfSnapshotIdResolvesToItsPreset(String snapshotId, String preset) {
        TestTeam team = TestTeam.create();
        team.api().body("{\"snapshotId\":\"" + snapshotId + "\",\"wait\":false}").post("/api/sandboxes").then()
                .statusCode(202).body("preset", equalTo(preset)).body("snapshotId", equalTo(snapshotId));
    }
}
