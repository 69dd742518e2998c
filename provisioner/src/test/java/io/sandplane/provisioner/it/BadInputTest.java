package io.sandplane.provisioner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.provider.Provider;
import io.sandplane.provisioner.support.Fixtures;
import io.sandplane.provisioner.support.InternalApi;
import io.sandplane.provisioner.support.Sim;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Requests that cannot be served get a clear 4xx problem, and nothing is created on PVE. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class BadInputTest {

    @Inject
    Fixtures fixtures;

    @BeforeEach
    void freshSimulator() {
        Sim.fresh();
    }

    @ParameterizedTest
    @CsvSource({ "POST,/provision", "POST,/stop", "POST,/pause", "POST,/resume", "POST,/recover", "DELETE," })
    void anUnknownSandboxIsA404(String method, String suffix) {
        String path = "/internal/sandboxes/{id}" + (suffix == null ? "" : suffix);
        InternalApi.call(method, path, SandboxIds.newId()).statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:sandplane:problem:not-found"));
        InternalApi.call(method, path, "not-a-sandbox-id").statusCode(404).contentType("application/problem+json");
    }

    @ParameterizedTest
    @CsvSource({
            "snapshot_doesnotexist1, unknown-snapshot, no template catalog entry",
            "pvelxc_9vcpu_9gb_9gb_v1, unknown-snapshot, has no preset 9vcpu_9gb_9gb",
            "pve_4vcpu_8gb_32gb_4242, unknown-snapshot, has VMID 4242",
            "not a snapshot!, unknown-snapshot, invalid snapshot id",
            "pvelxc_4vcpu_8gb_32gb_v7, no-template, has no active template copy" })
    void aSnapshotWithoutATemplateIsA422AndTheRowFails(String snapshot, String type, String detail) {
        String id = fixtures.sandbox().snapshot(snapshot).insert();
        InternalApi.call("POST", "/internal/sandboxes/{id}/provision", id).statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:sandplane:problem:" + type))
                .body("detail", containsString(detail));
        assertThat(fixtures.row(id).status).isEqualTo(SandboxStatus.FAILED);
        assertThat(fixtures.row(id).error).contains(detail);
        assertThat(fixtures.heldVmids(id)).isEmpty();
        assertThat(Sim.control().calls("POST", ".*")).isEmpty();
        // Asking again answers with the failed row.
        assertThat(InternalApi.provision(id).status()).isEqualTo(SandboxStatus.FAILED);
    }

    @Test
    void aSnapshotOfAnotherProviderIsA422() {
        String id = fixtures.sandbox().provider(Provider.PVE_VM).snapshot(Fixtures.STANDARD).insert();
        InternalApi.call("POST", "/internal/sandboxes/{id}/provision", id).statusCode(422)
                .body("type", equalTo("urn:sandplane:problem:provider-mismatch"));
        assertThat(Sim.control().calls("POST", ".*")).isEmpty();
    }

    @Test
    void commandsTheStatusDoesNotAllowAre409s() {
        String id = fixtures.sandbox().insert();
        InternalApi.call("POST", "/internal/sandboxes/{id}/stop", id).statusCode(409)
                .body("type", equalTo("urn:sandplane:problem:illegal-transition"))
                .body("currentStatus", equalTo("PROVISIONING"));
        InternalApi.call("POST", "/internal/sandboxes/{id}/resume", id).statusCode(409)
                .body("type", equalTo("urn:sandplane:problem:illegal-transition"));
        InternalApi.request().body(Map.of("command", "true")).post("/internal/sandboxes/{id}/exec", id).then()
                .statusCode(409).body("type", equalTo("urn:sandplane:problem:not-running"));
        assertThat(Sim.control().calls("POST", ".*")).isEmpty();
    }

    @Test
    void aMalformedExecRequestIsA400() {
        String id = fixtures.sandbox().insert();
        InternalApi.request().body(Map.of("command", " ")).post("/internal/sandboxes/{id}/exec", id).then()
                .statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("command"));
        InternalApi.request().body(Map.of("command", "true", "timeoutMs", 0)).post("/internal/sandboxes/{id}/exec", id)
                .then().statusCode(400).body("errors[0].field", equalTo("timeoutMs"));
        InternalApi.request().body("{\"command\": ").post("/internal/sandboxes/{id}/exec", id).then()
                .statusCode(400).contentType("application/problem+json");
    }

    @Test
    void deletingAGuestNeedsAValidNodeAndVmid() {
        InternalApi.call("DELETE", "/internal/guests/{node}/{vmid}", "pve_1", 1234).statusCode(400)
                .body("errors[0].field", equalTo("node"));
        InternalApi.call("DELETE", "/internal/guests/{node}/{vmid}", "pve1", 5).statusCode(400)
                .body("errors[0].field", equalTo("vmid"));
        InternalApi.call("DELETE", "/internal/guests/{node}/{vmid}", "pve1", "abc").statusCode(404);
    }
}
