package io.sandplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.e2e.support.Api;
import io.sandplane.e2e.support.Api.Answer;
import io.sandplane.e2e.support.E2eTopology;
import io.sandplane.e2e.support.Json;
import io.sandplane.e2e.support.Starts;
import io.sandplane.e2e.support.Teams.Team;
import io.sandplane.e2e.support.Topologies;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fault run: PostgreSQL stops for 10 s and comes back. Every service says it is not ready
 * meanwhile, and becomes ready again by itself (same processes, no restart); no sandbox is lost.
 */
class PostgresOutageIT {

    private static final Duration OUTAGE = Duration.ofSeconds(10);

    private final E2eTopology topology = Topologies.shared();
    private final Api api = topology.api();

    @Test
    void servicesAreNotReadyDuringAnOutageAndRecoverWithoutARestart() {
        Team team = topology.team().create();
        Answer started = api.post("/api/sandboxes", team.key(), Starts.body().json());
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        String id = started.json().path("id").asText();
        int vmid = started.json().path("vmid").asInt();
        String vscode = started.json().path("urls").path("vscode").asText();
        String token = started.json().path("accessToken").asText();
        List<ServiceProcess> services = topology.services();
        Map<String, Long> pids = new LinkedHashMap<>();
        services.forEach(p -> pids.put(p.module() + ":" + p.port(), p.pid()));
        services.forEach(p -> assertThat(E2eTopology.readiness(p)).as(p.module() + " ready before").isEqualTo(200));

        EmbeddedPostgres postgres = topology.topology().postgres();
        long stopped = System.nanoTime();
        postgres.stop();
        Answer during;
        try {
            for (ServiceProcess p : services) {
                await(p.module() + " not ready").atMost(OUTAGE).pollInterval(Duration.ofMillis(200))
                        .until(() -> E2eTopology.readiness(p) == 503);
            }
            Duration reported = Duration.ofNanos(System.nanoTime() - stopped);
            System.out.printf("e2e: every service reported not ready %d ms after PostgreSQL stopped%n", reported.toMillis());
            during = api.get("/api/sandboxes/" + id, team.key());
            // For the rest of the outage they stay not ready (and alive).
            Duration rest = OUTAGE.minus(Duration.ofNanos(System.nanoTime() - stopped));
            if (!rest.isNegative() && !rest.isZero()) {
                await("still not ready").during(rest).atMost(rest.plusSeconds(10)).pollInterval(Duration.ofMillis(500))
                        .until(() -> services.stream().allMatch(p -> p.isRunning() && E2eTopology.readiness(p) == 503));
            }
        } finally {
            postgres.start();
        }
        System.out.printf("e2e: PostgreSQL was down for %d ms%n", (System.nanoTime() - stopped) / 1_000_000);
        assertThat(during.status()).as("the API while the database is down: " + during).isEqualTo(503);
        assertThat(during.header("Content-Type")).startsWith("application/problem+json");

        long restarted = System.nanoTime();
        for (ServiceProcess p : services) {
            await(p.module() + " ready again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> E2eTopology.readiness(p) == 200);
        }
        System.out.printf("e2e: every service ready again %d ms after PostgreSQL restarted%n",
                (System.nanoTime() - restarted) / 1_000_000);
        services.forEach(p -> assertThat(p.pid()).as(p.module() + " was not restarted").isEqualTo(pids.get(p.module() + ":" + p.port())));

        // Nothing was lost: the sandbox is still there and running, and it works; a reaper pass agrees.
        topology.reaperPass();
        assertThat(api.status(id, team.key())).isEqualTo("RUNNING");
        assertThat(topology.simulator().guest(vmid).orElseThrow().running()).isTrue();
        Answer list = api.get("/api/sandboxes", team.key());
        assertThat(list.json().path("sandboxes").findValuesAsText("id")).containsExactly(id);
        Answer exec = api.post("/api/sandboxes/" + id + "/exec", team.key(), Json.object().put("command", "echo still-here"));
        assertThat(exec.status()).as(exec.toString()).isEqualTo(200);
        assertThat(exec.json().path("stdout").asText()).isEqualTo("still-here\n");
        assertThat(topology.proxy().get(vscode, "/", Map.of("X-Sandplane-Token", token)).status()).isEqualTo(200);
        Answer another = api.post("/api/sandboxes", team.key(), Starts.body().ttlAction("delete").json());
        assertThat(another.status()).as("a start after the outage: " + another).isEqualTo(201);

        for (String sandbox : List.of(id, another.json().path("id").asText())) {
            assertThat(api.delete("/api/sandboxes/" + sandbox, team.key()).status()).isEqualTo(200);
        }
    }
}
