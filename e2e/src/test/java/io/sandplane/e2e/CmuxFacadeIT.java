package io.sandplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sandplane.e2e.support.Api;
import io.sandplane.e2e.support.Api.Answer;
import io.sandplane.e2e.support.E2eTopology;
import io.sandplane.e2e.support.Json;
import io.sandplane.e2e.support.Proxy;
import io.sandplane.e2e.support.Teams.Team;
import io.sandplane.e2e.support.Topologies;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A cmux frontend pointed at Sandplane: its routes with the bodies cmux sends (cmux-api.md §1.1),
 * start → status → stop → status → resume → status, on the real topology.
 */
class CmuxFacadeIT {

    private final E2eTopology topology = Topologies.shared();
    private final Api api = topology.api();

    @Test
    void startStatusStopResumeWithCmuxBodies() {
        Team team = topology.team().create();

        Answer config = api.get("/api/config/sandbox", null);
        assertThat(config.status()).isEqualTo(200);
        assertThat(config.json().path("provider").asText()).isEqualTo("pve-lxc");
        String defaultSnapshot = config.json().path("defaultPresetId").asText();
        assertThat(defaultSnapshot).startsWith("snapshot_");

        // What cmux's start sends, including the members Sandplane accepts and ignores.
        ObjectNode body = Json.object().put("teamSlugOrId", team.slug()).put("snapshotId", defaultSnapshot)
                .put("ttlSeconds", 1800).put("environmentId", "k57a9b2c3d4e5f6").put("taskRunId", "tr_81x")
                .put("taskRunJwt", "eyJhbGciOiJIUzI1NiJ9.e30.sig").put("isCloudWorkspace", false)
                .put("repoUrl", "https://github.com/acme/app").put("branch", "main").put("newBranch", "cmux/feature-1")
                .put("depth", 1).put("agentName", "claude/sonnet").put("prompt", "fix the build");
        body.putObject("metadata").put("app", "cmux").put("taskRunId", "tr_81x");
        Answer started = api.post("/api/sandboxes/start", team.key(), body);
        assertThat(started.status()).as(started.toString()).isEqualTo(200);
        JsonNode response = started.json();
        String id = response.path("instanceId").asText();
        assertThat(response.path("provider").asText()).isEqualTo("pve-lxc");
        for (String url : new String[] { "vscodeUrl", "workerUrl", "vncUrl", "xtermUrl" }) {
            assertThat(response.path(url).asText()).as(url).startsWith("http://port-").contains("-vm-");
        }
        // The services are token-protected; the start's answer carries the token that opens them.
        String token = response.path("accessToken").asText();
        assertThat(token).startsWith("sbt_");
        Proxy proxy = topology.proxy();
        assertThat(proxy.get(response.path("vscodeUrl").asText(), "/?folder=/root/workspace").status()).isEqualTo(401);
        assertThat(proxy.get(response.path("vscodeUrl").asText(), "/?folder=/root/workspace", Map.of("X-Sandplane-Token", token))
                .status()).isEqualTo(200);
        JsonNode sandbox = api.sandbox(id, team.key());
        assertThat(sandbox.path("status").asText()).isEqualTo("RUNNING");
        assertThat(sandbox.path("ttlSeconds").asInt()).isEqualTo(1800);
        assertThat(sandbox.path("ttlAction").asText()).as("cmux starts with ttlAction pause").isEqualToIgnoringCase("pause");
        assertThat(sandbox.path("wakeOnHttp").asBoolean()).as("and wake-on-HTTP").isTrue();
        assertThat(sandbox.path("metadata").path("taskRunId").asText()).isEqualTo("tr_81x");
        assertThat(sandbox.path("snapshotId").asText()).isEqualTo(defaultSnapshot);

        JsonNode status = cmuxStatus(id, team);
        assertThat(status.path("running").asBoolean()).isTrue();
        assertThat(status.path("vscodeUrl").asText()).isEqualTo(response.path("vscodeUrl").asText());
        assertThat(status.path("workerUrl").asText()).isEqualTo(response.path("workerUrl").asText());
        assertThat(status.path("provider").asText()).isEqualTo("pve-lxc");

        Answer stopped = api.post("/api/sandboxes/" + id + "/stop", team.key(), null);
        assertThat(stopped.status()).as(stopped.toString()).isEqualTo(204);
        assertThat(stopped.body()).isEmpty();
        assertThat(cmuxStatus(id, team).path("running").asBoolean()).isFalse();
        assertThat(api.status(id, team.key())).isEqualTo("STOPPED");
        int vmid = sandbox.path("vmid").asInt();
        assertThat(topology.simulator().guest(vmid).orElseThrow().running()).isFalse();

        Answer resumed = api.post("/api/sandboxes/" + id + "/resume?teamSlugOrId=" + team.slug(), team.key(), null);
        assertThat(resumed.status()).as(resumed.toString()).isEqualTo(200);
        assertThat(resumed.json().path("resumed").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> cmuxStatus(id, team).path("running").asBoolean());
        assertThat(topology.simulator().guest(vmid).orElseThrow().running()).isTrue();

        // cmux's team check: a key cannot act for another team.
        Team other = topology.team().create();
        Answer foreign = api.post("/api/sandboxes/start", team.key(), Json.object().put("teamSlugOrId", other.slug()));
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.json().path("detail").asText()).contains("Forbidden: Not a member of this team");
        assertThat(api.get("/api/sandboxes/" + id + "/status", other.key()).status()).as("another team's sandbox").isEqualTo(404);

        assertThat(api.delete("/api/sandboxes/" + id, team.key()).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.status(id, team.key()).equals("DELETED"));
        assertThat(topology.simulator().guest(vmid)).isEmpty();
    }

    private JsonNode cmuxStatus(String id, Team team) {
        Answer a = api.get("/api/sandboxes/" + id + "/status", team.key());
        assertThat(a.status()).as(a.toString()).isEqualTo(200);
        return a.json();
    }
}
