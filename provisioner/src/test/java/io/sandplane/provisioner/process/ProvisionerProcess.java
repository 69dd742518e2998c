package io.sandplane.provisioner.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.provisioner.SharedProvisioner;
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

/** A provisioner running as a process, called over its internal API as the other services call it. */
final class ProvisionerProcess {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String url;

    ProvisionerProcess(String url) {
        this.url = url;
    }

    /** Calls the internal API; asserts a 200 and returns the JSON answer. */
    JsonNode call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
                .header("X-Sandplane-Internal-Token", SharedProvisioner.INTERNAL_TOKEN)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(2))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** A team and a PROVISIONING sandbox row, as sandbox-api would insert them; returns its id. */
    static String insertSandbox() throws Exception {
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
