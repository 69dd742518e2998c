package io.sandplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandplane.devsupport.simulator.GuestProbe;
import io.sandplane.devsupport.simulator.SimGuest;
import io.sandplane.devsupport.topology.Topology.Service;
import io.sandplane.e2e.support.Api;
import io.sandplane.e2e.support.Api.Answer;
import io.sandplane.e2e.support.E2eTopology;
import io.sandplane.e2e.support.Proxy;
import io.sandplane.e2e.support.Starts;
import io.sandplane.e2e.support.Teams.Team;
import io.sandplane.e2e.support.Topologies;
import io.sandplane.model.internal.InternalToken;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * PVE's firewall, as the provisioner writes it and the simulator enforces it by the connecting address: sandbox A
 * cannot open sandbox B's exposed port directly from A's own address, while the url-router (127.0.0.1 here) can, and
 * the provisioner's isolation audit finds both guests isolated.
 */
class FirewallIsolationIT {

    private static final Pattern PORT = Pattern.compile("port-(\\d+)-vm-(\\d+)\\.");

    private final E2eTopology topology = Topologies.shared();
    private final Api api = topology.api();
    private final Proxy proxy = topology.proxy();

    @Test
    void aSandboxCannotOpenAnothersExposedPortDirectlyWhileTheRouterCan() throws Exception {
        Team team = topology.team().create();
        JsonNode a = start(team);
        JsonNode b = start(team);
        try {
            String vscode = b.path("urls").path("vscode").asText();
            Map<String, String> withToken = Map.of("X-Sandplane-Token", b.path("accessToken").asText());
            assertThat(proxy.get(vscode, "/through-the-router", withToken).status()).as("B through the proxy")
                    .isEqualTo(200);

            Matcher url = PORT.matcher(vscode);
            assertThat(url.find()).as(vscode).isTrue();
            int port = Integer.parseInt(url.group(1));
            String fromA = address(a.path("id").asText());
            String toB = address(b.path("id").asText());

            assertThat(GuestProbe.answers(fromA, toB, port)).as("A (%s) to B's port %d (%s) directly", fromA, port, toB)
                    .isFalse();
            assertThat(GuestProbe.answers(fromA, toB, 39375)).as("A to B's execd").isFalse();
            assertThat(GuestProbe.answers("127.0.0.1", toB, port)).as("the url-router's address to B").isTrue();

            assertThat(isolation(a.path("id").asText()).path("isolated").asBoolean()).isTrue();
            assertThat(isolation(b.path("id").asText()).path("problems")).isEmpty();
        } finally {
            api.delete("/api/sandboxes/" + a.path("id").asText(), team.key());
            api.delete("/api/sandboxes/" + b.path("id").asText(), team.key());
        }
    }

    private JsonNode start(Team team) {
        Answer started = api.post("/api/sandboxes", team.key(), Starts.body().json());
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        return started.json();
    }

    /** The guest's address on the simulator, where the sandbox's guest is tagged with its id. */
    private String address(String sandboxId) {
        return topology.simulator().guests().stream()
                .filter(g -> !g.template() && g.tags() != null && g.tags().contains(sandboxId))
                .map(SimGuest::address).findFirst().orElseThrow(() -> new AssertionError("no guest for " + sandboxId));
    }

    /** The provisioner's isolation audit of a sandbox (an internal endpoint, with the internal token). */
    private JsonNode isolation(String sandboxId) throws Exception {
        String url = topology.process(Service.PROVISIONER, 0).url() + "/internal/sandboxes/" + sandboxId + "/isolation";
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header(InternalToken.HEADER, topology.topology().internalToken()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
    }
}
