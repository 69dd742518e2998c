package io.sandplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.guard.RawHttp;
import io.sandplane.devsupport.simulator.SimGuest;
import io.sandplane.devsupport.topology.Topology.Service;
import io.sandplane.e2e.support.Api;
import io.sandplane.e2e.support.Api.Answer;
import io.sandplane.e2e.support.E2eTopology;
import io.sandplane.e2e.support.Json;
import io.sandplane.e2e.support.Metrics;
import io.sandplane.e2e.support.Proxy;
import io.sandplane.e2e.support.Starts;
import io.sandplane.e2e.support.Teams.Team;
import io.sandplane.e2e.support.Topologies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * A sandbox's URLs reach its guest and nothing else: not Sandplane's own listeners through a port the
 * sandbox exposes, not an address outside the sandbox network (PVE_IP_POOL_CIDR) that its row
 * comes to record, and not a guest whose firewall was switched off (found by the reaper's audit).
 */
class NetworkIsolationIT {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** A path each listener would record or count if the request reached it (the simulator records /api2/json calls). */
    private static final String PROBE = "/api2/json/nodes/e2e-isolation-probe/status";

    private final E2eTopology topology = Topologies.shared();
    private final Api api = topology.api();
    private final Proxy proxy = topology.proxy();

    @Test
    void aSandboxThatExposesAControlPlanePortReachesNothing() {
        Team team = topology.team().create();
        JsonNode sandbox = start(team);
        String id = sandbox.path("id").asText();
        ServiceProcess provisioner = topology.process(Service.PROVISIONER, 0);
        try {
            double provisioner404s = Metrics.sum(provisioner, "http_server_requests_seconds_count", "status=\"404\"");
            Map<String, Integer> listeners = topology.topology().listeners();
            List<String> reached = new ArrayList<>();
            listeners.forEach((listener, port) -> {
                Answer exposed = api.post("/api/sandboxes/" + id + "/services", team.key(),
                        Json.object().put("port", port).put("authMode", "public"));
                assertThat(exposed.status()).as("expose %s (%d): %s", listener, port, exposed).isEqualTo(201);
                String url = exposed.json().path("url").asText();
                // The proxy learns of the new service within moments (its route cache is invalidated by NOTIFY).
                AtomicReference<Proxy.Response> answer = new AtomicReference<>();
                await().atMost(PATIENCE).until(() -> {
                    answer.set(proxy.get(url, PROBE));
                    return answer.get().status() != 404;
                });
                if (answer.get().status() != 502) {
                    reached.add(listener + " (" + port + ") -> " + answer.get());
                }
            });
            assertThat(reached).as("every control-plane port exposed by the sandbox answers the proxy's 502").isEmpty();
            assertThat(topology.simulator().calls(null, ".*e2e-isolation-probe.*")).as("requests the simulator saw").isEmpty();
            assertThat(Metrics.sum(provisioner, "http_server_requests_seconds_count", "status=\"404\""))
                    .as("requests for unknown paths the provisioner saw").isEqualTo(provisioner404s);

            // Both would have noticed: the same probe sent to them directly is recorded and counted.
            RawHttp.send("127.0.0.1", listeners.get("pve-simulator"), "GET", PROBE, Map.of(), null);
            RawHttp.send("127.0.0.1", listeners.get("provisioner"), "GET", PROBE, Map.of(), null);
            assertThat(topology.simulator().calls(null, ".*e2e-isolation-probe.*")).hasSize(1);
            await().atMost(PATIENCE).until(() -> Metrics.sum(provisioner, "http_server_requests_seconds_count",
                    "status=\"404\"") == provisioner404s + 1);
        } finally {
            api.delete("/api/sandboxes/" + id, team.key());
        }
    }

    @Test
    void aSandboxWhoseAddressMovedOutsideTheSandboxNetworkIsNoLongerRoutedAndThatIsReported() {
        Team team = topology.team().create();
        JsonNode sandbox = start(team);
        String id = sandbox.path("id").asText();
        String token = sandbox.path("accessToken").asText();
        String vscode = sandbox.path("urls").path("vscode").asText();
        Map<String, String> withToken = Map.of("X-Sandplane-Token", token);
        ServiceProcess router = topology.process(Service.URL_ROUTER, 0);
        try {
            assertThat(proxy.get(vscode, "/before", withToken).status()).isEqualTo(200);
            double refusedBefore = Metrics.sum(router, "sandplane_proxy_requests_total", "outcome=\"address_refused\"");

            // The guest "moved" to an address outside the guest network (TEST-NET-1, reachable from nowhere).
            topology.ledger().recordAddress(id, "192.0.2.10");
            await().atMost(PATIENCE).until(() -> proxy.get(vscode, "/after", withToken).status() == 502);
            Proxy.Response refused = proxy.get(vscode, "/after", withToken);
            assertThat(refused.status()).isEqualTo(502);
            assertThat(refused.body()).doesNotContain("192.0.2.10");
            assertThat(Metrics.sum(router, "sandplane_proxy_requests_total", "outcome=\"address_refused\""))
                    .isGreaterThanOrEqualTo(refusedBefore + 2);

            await().atMost(PATIENCE).until(() -> refusals(team, id).size() == 1);
            assertThat(refusals(team, id).getFirst()).contains("192.0.2.10").contains("not one the proxy may reach");
            // Reported once, however many requests were refused.
            proxy.get(vscode, "/again", withToken);
            await().during(Duration.ofSeconds(1)).atMost(PATIENCE).until(() -> refusals(team, id).size() == 1);
        } finally {
            api.delete("/api/sandboxes/" + id, team.key());
        }
    }

    @Test
    void aSandboxWhoseFirewallIsSwitchedOffInPveIsNoLongerRoutedAndThatIsReported() {
        Team team = topology.team().create();
        JsonNode sandbox = start(team);
        String id = sandbox.path("id").asText();
        Map<String, String> withToken = Map.of("X-Sandplane-Token", sandbox.path("accessToken").asText());
        String vscode = sandbox.path("urls").path("vscode").asText();
        SimGuest guest = topology.simulator().guests().stream().filter(g -> g.tags() != null && g.tags().contains(id))
                .findFirst().orElseThrow();
        String options = "/nodes/" + guest.node() + "/lxc/" + guest.vmid() + "/firewall/options";
        try {
            assertThat(proxy.get(vscode, "/before", withToken).status()).isEqualTo(200);

            // Someone with access to PVE switches the guest's firewall off; the reaper's next audits find it.
            assertThat(topology.simulator().api("PUT", options, Map.of("enable", "0")).status()).isEqualTo(200);
            await().atMost(PATIENCE).until(() -> proxy.get(vscode, "/off", withToken).status() == 502);
            await().atMost(PATIENCE).until(() -> reaperErrors(team, id).size() == 1);
            assertThat(reaperErrors(team, id).getFirst()).contains("firewall option enable is 0")
                    .contains("no longer routes");

            assertThat(topology.simulator().api("PUT", options, Map.of("enable", "1")).status()).isEqualTo(200);
            await().atMost(PATIENCE).until(() -> proxy.get(vscode, "/on", withToken).status() == 200);
            assertThat(reaperErrors(team, id)).as("reported once").hasSize(1);
        } finally {
            api.delete("/api/sandboxes/" + id, team.key());
        }
    }

    private JsonNode start(Team team) {
        Answer started = api.post("/api/sandboxes", team.key(), Starts.body().json());
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        return started.json();
    }

    /** The url-router's ERROR events in the sandbox's history, as its team reads them. */
    private List<String> refusals(Team team, String id) {
        return errors(team, id, "url-router");
    }

    /** The reaper's ERROR events in the sandbox's history (its isolation audit's findings). */
    private List<String> reaperErrors(Team team, String id) {
        return errors(team, id, "reaper");
    }

    private List<String> errors(Team team, String id, String actor) {
        JsonNode events = api.get("/api/sandboxes/" + id + "/events", team.key()).json();
        return StreamSupport.stream(events.spliterator(), false)
                .filter(e -> e.path("type").asText().equals("ERROR") && e.path("actor").asText().equals(actor))
                .map(e -> e.path("detail").asText()).toList();
    }
}
