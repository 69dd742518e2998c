package io.sandplane.provisioner.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.provisioner.SharedProvisioner;
import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.test.SharedPostgres;
import io.sandplane.model.lifecycle.SandboxIds;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The built provisioner as the other services' tests get it: {@link SharedProvisioner} starts the
 * jar as a process over the shared PostgreSQL and simulator; a sandbox row inserted as sandbox-api
 * would insert it is provisioned, used and deleted over HTTP. Runs after {@code package} (failsafe).
 */
class SharedProvisionerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void provisionsExecsAndDeletesAsAProcess() throws Exception {
        SharedProvisioner provisioner = SharedProvisioner.get();
        SharedSimulator.get().control().reset();
        String id = insertSandbox();

        JsonNode running = call(provisioner, "POST", "/internal/sandboxes/" + id + "/provision", null);
        assertThat(running.path("status").asText()).as(running.toString()).isEqualTo("RUNNING");
        int vmid = running.path("vmid").asInt();
        assertThat(SharedSimulator.get().control().guest(vmid)).hasValueSatisfying(g -> assertThat(g.running()).isTrue());

        JsonNode exec = call(provisioner, "POST", "/internal/sandboxes/" + id + "/exec", "{\"command\": \"echo hi\"}");
        assertThat(exec.path("stdout").asText()).isEqualTo("hi\n");

        JsonNode guests = call(provisioner, "GET", "/internal/guests", null);
        assertThat(guests.findValues("vmid")).extracting(JsonNode::asInt).contains(vmid);

        JsonNode deleted = call(provisioner, "DELETE", "/internal/sandboxes/" + id, null);
        assertThat(deleted.path("status").asText()).isEqualTo("DELETED");
        assertThat(SharedSimulator.get().control().guest(vmid)).isEmpty();
    }

    private JsonNode call(SharedProvisioner p, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(p.url() + path))
                .header("X-Sandplane-Internal-Token", SharedProvisioner.INTERNAL_TOKEN)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(2))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String insertSandbox() throws Exception {
        EmbeddedPostgres pg = SharedPostgres.get();
        UUID team = UUID.randomUUID();
        String id = SandboxIds.newId();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), EmbeddedPostgres.USER, "")) {
            try (PreparedStatement st = c.prepareStatement("""
                    insert into teams (id, slug, name, max_live_sandboxes, starts_per_hour, created_at, updated_at)
                    values (?, ?, 'IT', 10, 10, now(), now())""")) {
                st.setObject(1, team);
                st.setString(2, "it-" + team.toString().substring(0, 8));
                st.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement("""
                    insert into sandboxes (id, team_id, provider, snapshot_id, status, ttl_seconds, ttl_action, metadata,
                                           created_at, updated_at, status_changed_at)
                    values (?, ?, 'pve-lxc', 'snapshot_std4c8g1', 'PROVISIONING', 600, 'STOP', '{}'::jsonb, now(), now(), now())""")) {
                st.setString(1, id);
                st.setObject(2, team);
                st.executeUpdate();
            }
        }
        return id;
    }
}
