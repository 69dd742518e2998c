package io.sandplane.urlrouter.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandplane.devsupport.provisioner.SharedProvisioner;
import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Sandboxes made by the real provisioner (dev-support SharedProvisioner) on the shared simulator. */
public final class Provisioned {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Provisioned() {
    }

    /** Provisions a sandbox (with its default services), then pauses it: a stopped guest and a PAUSED row. */
    public static Fixtures.Sandbox paused(String token, boolean wakeOnHttp) {
        Fixtures.Sandbox row = Fixtures.sandbox().vmid(null).status(SandboxStatus.PROVISIONING).snapshot("snapshot_std4c8g1")
                .token(token).wakeOnHttp(wakeOnHttp).insert();
        JsonObject started = call("provision", row.id());
        assertThat(started.getString("status")).as("provision: %s", started).isEqualTo("RUNNING");
        JsonObject paused = call("pause", row.id());
        assertThat(paused.getString("status")).isEqualTo("PAUSED");
        return new Fixtures.Sandbox(row.id(), started.getInteger("vmid"));
    }

    public static JsonObject call(String action, String sandboxId) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create(SharedProvisioner.get().url() + "/internal/sandboxes/" + sandboxId + "/" + action))
                    .header("X-Sandplane-Internal-Token", SharedProvisioner.INTERNAL_TOKEN)
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofMinutes(2))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("%s %s: %s", action, sandboxId, response.body()).isEqualTo(200);
            return new JsonObject(response.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** How many times the guest was started through the PVE API. */
    public static int guestStarts(int vmid) {
        return SharedSimulator.get().control().calls("POST", ".*/lxc/" + vmid + "/status/start").size();
    }
}
