package io.sandplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandplane.e2e.support.Api;
import io.sandplane.e2e.support.Api.Answer;
import io.sandplane.e2e.support.Api.Event;
import io.sandplane.e2e.support.E2eTopology;
import io.sandplane.e2e.support.Json;
import io.sandplane.e2e.support.Proxy;
import io.sandplane.e2e.support.Starts;
import io.sandplane.e2e.support.Teams.Team;
import io.sandplane.e2e.support.Topologies;
import io.sandplane.model.lifecycle.ProvisionStep;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * What a user does with a sandbox, on the real topology, only through the public API and the
 * proxy: start it and watch its progress, run commands, open its VS Code and terminal, publish a
 * dev server, pause it and wake it with a request, and delete it; and a short TTL that the reaper
 * enforces.
 */
class ScenarioIT {

    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int VSCODE = 39378;
    private static final int XTERM = 39383;
    private static final int PREVIEW = 5173;

    private final E2eTopology topology = Topologies.shared();
    private final Api api = topology.api();
    private final Proxy proxy = topology.proxy();

    @Test
    void aSandboxFromStartToDelete() {
        Team team = topology.team().create();

        // Start without waiting, and follow the progress as a UI would.
        Answer accepted = api.post("/api/sandboxes", team.key(),
                Starts.body().wakeOnHttp(true).waitForRunning(false).metadata("suite", "e2e").json());
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String id = accepted.json().path("id").asText();
        String token = accepted.json().path("accessToken").asText();
        assertThat(accepted.json().path("status").asText()).isEqualTo("PROVISIONING");
        assertThat(accepted.header("Location")).endsWith("/api/sandboxes/" + id);
        assertThat(token).isNotBlank();

        List<Event> progress = api.follow(id, team.key(), ScenarioIT::becameRunning, START);
        assertThat(progress.stream().filter(e -> e.type().equals("STEP")).map(e -> e.data().path("step").asText()))
                .as("steps, in order").containsExactly(Arrays.stream(ProvisionStep.values()).map(Enum::name).toArray(String[]::new));
        assertThat(progress.stream().filter(e -> e.type().equals("STEP")).map(e -> e.data().path("progress").asInt()))
                .containsExactly(IntStream.rangeClosed(1, ProvisionStep.values().length).boxed().toArray(Integer[]::new));
        assertThat(progress.stream().filter(e -> e.type().equals("STEP")).map(e -> e.name())).containsOnly("step");
        assertThat(progress.getLast().data().path("fromStatus").asText()).isEqualTo("PROVISIONING");
        assertThat(progress.stream().map(e -> Long.parseLong(e.id()))).isSorted().doesNotHaveDuplicates();

        JsonNode running = api.sandbox(id, team.key());
        assertThat(running.path("status").asText()).isEqualTo("RUNNING");
        int vmid = running.path("vmid").asInt();
        String guestIp = topology.simulator().guest(vmid).orElseThrow().address();
        assertThat(guestIp).as("the guest runs and has an address").isNotNull();
        JsonNode urls = running.path("urls");
        assertThat(fieldNames(urls)).containsExactlyInAnyOrder("vscode", "worker", "vnc", "xterm");

        // Commands: write a file, read it back.
        Answer wrote = api.post("/api/sandboxes/" + id + "/exec", team.key(),
                Json.object().put("command", "printf 'written by e2e in %s' \"$PWD\" > e2e-note.txt && echo done"));
        assertThat(wrote.status()).as(wrote.toString()).isEqualTo(200);
        assertThat(wrote.json().path("exitCode").asInt()).isZero();
        assertThat(wrote.json().path("stdout").asText()).as("the output byte for byte").isEqualTo("done\n");
        assertThat(readNote(id, team)).startsWith("written by e2e in /");

        // VS Code and the terminal through the proxy, with the sandbox's token, landing on this guest's port.
        for (int port : new int[] { VSCODE, XTERM }) {
            String url = urls.path(port == VSCODE ? "vscode" : "xterm").asText();
            assertThat(URI.create(url).getHost()).isEqualTo("port-" + port + "-vm-" + vmid + "." + host(topology));
            assertLandsOn(proxy.get(url, "/workbench?folder=/root", Map.of("X-Sandplane-Token", token)), vmid, guestIp, port,
                    "/workbench");
            assertThat(proxy.get(url, "/workbench").status()).as("no token").isEqualTo(401);
            assertThat(proxy.get(url, "/workbench", Map.of("X-Sandplane-Token", token + "x")).status()).as("wrong token")
                    .isEqualTo(401);

            // A link with the token in its query: a redirect that sets the cookie, then the cookie alone opens it.
            Proxy.Response redirect = proxy.get(url, "/login?sandplane_token=" + token + "&tab=1");
            assertThat(redirect.status()).as(redirect.toString()).isEqualTo(303);
            assertThat(redirect.header("Location")).endsWith("/login?tab=1").doesNotContain(token);
            String cookie = redirect.header("Set-Cookie");
            assertThat(cookie).startsWith("sandplane_token=").contains("HttpOnly");
            String location = URI.create(redirect.header("Location")).getRawPath() + "?tab=1";
            Proxy.Response followed = proxy.get(url, location, Map.of("Cookie", cookie.substring(0, cookie.indexOf(';'))));
            assertLandsOn(followed, vmid, guestIp, port, "/login");
            assertThat(followed.echo().path("headers").has("cookie")).as("the token cookie is not forwarded").isFalse();

            try (Proxy.Socket socket = proxy.webSocket(url, "/terminal", Map.of("X-Sandplane-Token", token))) {
                assertThat(socket.send("ls -la")).isEqualTo("vm " + vmid + " port " + port + ": ls -la");
            }
            try (Proxy.Socket socket = proxy.webSocket(url, "/terminal?sandplane_token=" + token, Map.of())) {
                assertThat(socket.send("whoami")).isEqualTo("vm " + vmid + " port " + port + ": whoami");
            }
            assertThatThrownBy(() -> proxy.webSocket(url, "/terminal", Map.of())).as("a WebSocket without the token")
                    .hasMessageContaining("401");
        }

        // A dev server's preview port: published (public), then hidden again; the proxy follows at once.
        String previewUrl = urls.path("vscode").asText().replace("port-" + VSCODE + "-", "port-" + PREVIEW + "-");
        assertThat(proxy.get(previewUrl, "/").status()).as("not exposed yet").isEqualTo(404);
        Answer exposed = api.post("/api/sandboxes/" + id + "/services", team.key(),
                Json.object().put("port", PREVIEW).put("authMode", "public"));
        assertThat(exposed.status()).as(exposed.toString()).isEqualTo(201);
        assertThat(exposed.json().path("name").asText()).isEqualTo("preview");
        assertThat(exposed.json().path("url").asText()).isEqualTo(previewUrl);
        await().atMost(PATIENCE).until(() -> proxy.get(previewUrl, "/").status() == 200);
        assertLandsOn(proxy.get(previewUrl, "/src/main.ts"), vmid, guestIp, PREVIEW, "/src/main.ts");
        assertThat(api.sandbox(id, team.key()).path("urls").path("preview").asText()).isEqualTo(previewUrl);
        Answer hidden = api.delete("/api/sandboxes/" + id + "/services/preview", team.key());
        assertThat(hidden.status()).as(hidden.toString()).isEqualTo(204);
        await().atMost(PATIENCE).until(() -> proxy.get(previewUrl, "/").status() == 404);
        assertThat(api.sandbox(id, team.key()).path("urls").has("preview")).isFalse();

        // Pause, then a request through the proxy wakes it (wakeOnHttp) and is answered by the guest.
        Answer paused = api.post("/api/sandboxes/" + id + "/pause", team.key(), null);
        assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
        assertThat(paused.json().path("status").asText()).isEqualTo("PAUSED");
        assertThat(topology.simulator().guest(vmid).orElseThrow().running()).as("the guest is stopped").isFalse();
        String vscode = urls.path("vscode").asText();
        Proxy.Response woken = proxy.get(vscode, "/after-wake", Map.of("X-Sandplane-Token", token));
        assertThat(woken.status()).as(woken.toString()).isEqualTo(200);
        assertThat(woken.echo().path("vmid").asInt()).isEqualTo(vmid);
        assertThat(woken.echo().path("port").asInt()).isEqualTo(VSCODE);
        assertThat(api.status(id, team.key())).isEqualTo("RUNNING");
        assertThat(actors(api.get("/api/sandboxes/" + id + "/events", team.key()).json(), "ACTION"))
                .as("who acted on the sandbox").contains("url-router");
        assertThat(readNote(id, team)).as("the file survived the pause").startsWith("written by e2e in /");

        // Delete: the guest is destroyed, the VMID freed, the URL dead, and the event stream ends.
        Answer deleted = api.delete("/api/sandboxes/" + id, team.key());
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        await().atMost(PATIENCE).until(() -> api.status(id, team.key()).equals("DELETED"));
        assertThat(topology.simulator().guest(vmid)).as("the guest").isEmpty();
        assertThat(proxy.get(vscode, "/", Map.of("X-Sandplane-Token", token)).status()).isEqualTo(404);
        assertThat(topology.ledger().allocatedVmids()).doesNotContain(vmid);
        List<Event> history = api.follow(id, team.key(), e -> false, PATIENCE);
        assertThat(history.getLast().data().path("toStatus").asText()).as("the stream ends after DELETED").isEqualTo("DELETED");
    }

    @Test
    void theReaperAppliesAnExpiredTtl() {
        Team team = topology.team().create();
        Answer started = api.post("/api/sandboxes", team.key(), Starts.body().ttlSeconds(2).ttlAction("delete").json());
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        String id = started.json().path("id").asText();
        int vmid = started.json().path("vmid").asInt();
        assertThat(topology.simulator().guest(vmid)).isPresent();

        await().atMost(PATIENCE).until(() -> api.status(id, team.key()).equals("DELETED"));
        JsonNode events = api.get("/api/sandboxes/" + id + "/events", team.key()).json();
        List<JsonNode> reaperActions = StreamSupport.stream(events.spliterator(), false)
                .filter(e -> e.path("type").asText().equals("ACTION") && e.path("actor").asText().equals("reaper")).toList();
        assertThat(reaperActions).hasSize(1);
        assertThat(reaperActions.getFirst().path("detail").asText()).contains("ttl").contains("delete");
        assertThat(topology.simulator().guest(vmid)).as("the guest").isEmpty();
        assertThat(topology.ledger().allocatedVmids()).doesNotContain(vmid);
    }

    private static boolean becameRunning(Event e) {
        return e.type().equals("STATUS") && e.data().path("toStatus").asText().equals("RUNNING");
    }

    private String readNote(String id, Team team) {
        Answer read = api.post("/api/sandboxes/" + id + "/exec", team.key(), Json.object().put("command", "cat e2e-note.txt"));
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.json().path("exitCode").asInt()).as(read.toString()).isZero();
        return read.json().path("stdout").asText();
    }

    /** The guest's echo service answered: this sandbox's guest, this port, this path, and no token leaked to it. */
    private static void assertLandsOn(Proxy.Response r, int vmid, String guestIp, int port, String path) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode echo = r.echo();
        assertThat(echo.path("vmid").asInt()).isEqualTo(vmid);
        assertThat(echo.path("guestIp").asText()).isEqualTo(guestIp);
        assertThat(echo.path("port").asInt()).isEqualTo(port);
        assertThat(echo.path("path").asText()).isEqualTo(path);
        assertThat(echo.path("headers").has("x-sandplane-token")).as("the token header is not forwarded").isFalse();
        assertThat(echo.path("query").asText("")).doesNotContain("sandplane_token");
    }

    private static String host(E2eTopology topology) {
        String domain = topology.topology().publicDomain();
        return domain.contains(":") ? domain.substring(0, domain.indexOf(':')) : domain;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> actors(JsonNode events, String type) {
        return StreamSupport.stream(events.spliterator(), false).filter(e -> e.path("type").asText().equals(type))
                .map(e -> e.path("actor").asText()).toList();
    }
}
