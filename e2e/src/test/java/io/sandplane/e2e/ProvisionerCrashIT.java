package io.sandplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.simulator.SimGuest;
import io.sandplane.devsupport.simulator.SimulatorControl;
import io.sandplane.devsupport.topology.Topology.Service;
import io.sandplane.e2e.support.Api;
import io.sandplane.e2e.support.Api.Answer;
import io.sandplane.e2e.support.E2eTopology;
import io.sandplane.e2e.support.Starts;
import io.sandplane.e2e.support.Teams.Team;
import io.sandplane.e2e.support.Topologies;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fault run: the provisioner is killed (SIGKILL) while a start's clone is in flight and started
 * again. The sandbox ends RUNNING or FAILED, and after one reaper pass no guest is left behind and
 * no VMID is held for nothing.
 */
class ProvisionerCrashIT {

    /** Long enough that the kill surely lands while PVE still clones. */
    private static final long CLONE_MS = 4000;

    private final E2eTopology topology = Topologies.replicated();
    private final SimulatorControl simulator = topology.simulator();

    @Test
    void aStartWhoseProvisionerDiesMidCloneEndsRunningOrFailedAndLeavesNothingBehind() throws Exception {
        Team team = topology.team().create();
        Api api = topology.api(0); // replica 0 calls provisioner replica 0
        ServiceProcess provisioner = topology.process(Service.PROVISIONER, 0);
        Map<String, Long> latencies = new HashMap<>(simulator.latencies());
        simulator.setLatencies(Map.of("clone", CLONE_MS));
        try {
            CompletableFuture<Answer> start = CompletableFuture.supplyAsync(
                    () -> api.post("/api/sandboxes", team.key(), Starts.body().json()));
            String id = await("the start is recorded").atMost(Duration.ofSeconds(30)).until(() -> provisioning(api, team),
                    Optional::isPresent).orElseThrow();
            SimGuest cloning = await("the clone is in flight").atMost(Duration.ofSeconds(30))
                    .until(() -> cloneInFlight(id), Optional::isPresent).orElseThrow();
            provisioner.kill();
            long killed = System.nanoTime();
            Answer answer = start.get(60, TimeUnit.SECONDS);
            System.out.printf("e2e: provisioner killed while guest %d was being cloned; the waiting start answered %s%n",
                    cloning.vmid(), answer);
            assertThat(answer.status()).as("the waiting start's answer").isIn(502, 503, 504);
            assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
            assertThat(answer.json().path("sandboxId").asText()).isEqualTo(id);

            provisioner.start();
            simulator.setLatencies(Map.of("clone", latencies.get("clone")));
            String end = await("RUNNING or FAILED").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> topology.api(1).status(id, team.key()), s -> s.equals("RUNNING") || s.equals("FAILED"));
            JsonNode sandbox = api.sandbox(id, team.key());
            System.out.printf("e2e: the interrupted start ended %s %d ms after the kill (%s)%n", end,
                    (System.nanoTime() - killed) / 1_000_000, sandbox.path("error").asText(""));
            if (end.equals("FAILED")) {
                assertThat(sandbox.path("error").asText("")).as("the cause").isNotBlank();
                assertThat(simulator.guest(cloning.vmid())).as("the clone was rolled back").isEmpty();
            } else {
                assertThat(simulator.guest(sandbox.path("vmid").asInt()).orElseThrow().running()).isTrue();
            }
        } finally {
            simulator.setLatencies(latencies);
            provisioner.start();
        }

        topology.reaperPass();
        assertThat(topology.ledger().orphanGuests()).as("orphan guests").isEmpty();
        assertThat(topology.ledger().leakedVmids()).as("leaked VMIDs").isEmpty();
        assertThat(topology.ledger().rowsWithoutGuest()).as("live rows without their guest").isEmpty();
    }

    private static Optional<String> provisioning(Api api, Team team) {
        JsonNode page = api.get("/api/sandboxes?status=PROVISIONING", team.key()).json();
        return page.path("sandboxes").findValuesAsText("id").stream().findFirst();
    }

    /** The guest the start is cloning, once PVE created it: it carries the clone's {@code create} lock and names the sandbox. */
    private Optional<SimGuest> cloneInFlight(String id) {
        return simulator.guests().stream()
                .filter(g -> "create".equals(g.lock()) && String.valueOf(g.config().get("description")).contains(id))
                .findFirst();
    }
}
