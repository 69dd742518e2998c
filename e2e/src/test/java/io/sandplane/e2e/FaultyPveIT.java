package io.sandplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandplane.devsupport.simulator.Fault;
import io.sandplane.devsupport.simulator.RecordedCall;
import io.sandplane.devsupport.simulator.SimulatorControl;
import io.sandplane.e2e.support.Api;
import io.sandplane.e2e.support.Api.Answer;
import io.sandplane.e2e.support.E2eTopology;
import io.sandplane.e2e.support.Starts;
import io.sandplane.e2e.support.Teams.Team;
import io.sandplane.e2e.support.Topologies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Fault run: 50 starts while the hypervisor fails about one call in ten — HTTP 500s, PVE proxy 596s,
 * lock-file timeouts, and tasks that fail. Every sandbox ends RUNNING or FAILED with a cause, nothing
 * is left on the hypervisor or held in the VMID books, and the API never answers 500.
 */
class FaultyPveIT {

    private static final int STARTS = 50;
    /** PVE calls that start a task (a failed task is a failure of its own kind). */
    private static final String TASK_CALLS = "/nodes/[^/]+/lxc/\\d+(/clone|/status/(start|stop|shutdown))?";

    private final E2eTopology topology = Topologies.replicated();
    private final SimulatorControl simulator = topology.simulator();

    @Test
    void fiftyStartsAgainstAFailingPveEndRunningOrFailedAndLeaveNothingBehind() throws Exception {
        Team team = topology.team().maxLiveSandboxes(STARTS).startsPerHour(STARTS).create();
        List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
        List<String> ids;
        long seqBefore = lastCallSeq();
        try {
            // Checked in this order, the first hit wins: about 10 % of all calls fail, a bit more of the task calls.
            simulator.addFault(Fault.taskFailure(null, TASK_CALLS, "simulated task failure: storage I/O error").withProbability(0.03));
            simulator.addFault(Fault.error(null, ".*", 500, "simulated internal error").withProbability(0.035));
            simulator.addFault(Fault.error(null, ".*", 596, "Connection timed out").withProbability(0.035));
            simulator.addFault(Fault.lockTimeout(null, ".*").withProbability(0.032));

            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Answer>> starts = new ArrayList<>();
                for (int i = 0; i < STARTS; i++) {
                    Api api = topology.api(i % 2);
                    starts.add(pool.submit(() -> api.post("/api/sandboxes", team.key(), Starts.body().json())));
                }
                for (Future<Answer> f : starts) {
                    answers.add(f.get());
                }
            }
            Map<Integer, Long> statuses = answers.stream().collect(Collectors.groupingBy(Answer::status, TreeMap::new,
                    Collectors.counting()));
            System.out.printf("e2e: %d starts against a failing PVE answered %s%n", STARTS, statuses);
            assertThat(statuses.keySet()).as("start answers").isSubsetOf(201, 502, 503, 504);
            ids = answers.stream().map(a -> a.status() == 201 ? a.json().path("id").asText() : a.json().path("sandboxId").asText(""))
                    .filter(id -> !id.isEmpty()).toList();
            assertThat(answers.stream().filter(a -> a.status() == 503 && a.json().has("sandboxId")))
                    .as("a 503 names no sandbox: the start was not recorded").isEmpty();

            // Starts the provisioner could not finish or roll back are finished by the reaper's recovery, faults and all.
            await("every sandbox RUNNING or FAILED").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> ids.stream().allMatch(id -> settled(topology.api(1), team, id, answers)));
        } finally {
            simulator.clearFaults();
        }
        List<RecordedCall> calls = simulator.calls().stream().filter(c -> c.seq() > seqBefore).toList();
        long failed = calls.stream().filter(c -> c.status() >= 400).count();
        System.out.printf("e2e: PVE answered %d of %d calls with an error (%.1f %%), plus failed tasks%n", failed, calls.size(),
                100.0 * failed / Math.max(1, calls.size()));
        assertThat(calls).as("the simulator saw the starts").isNotEmpty();
        assertThat(failed).as("faults were injected").isPositive();

        Api api = topology.api();
        int running = 0;
        for (String id : ids) {
            JsonNode s = api.sandbox(id, team.key());
            String status = s.path("status").asText();
            assertThat(status).as(id).isIn("RUNNING", "FAILED");
            if (status.equals("FAILED")) {
                assertThat(s.path("error").asText("")).as("the cause of " + id).isNotBlank();
            } else {
                running++;
                assertThat(simulator.guest(s.path("vmid").asInt()).orElseThrow().running()).as("guest of " + id).isTrue();
            }
        }
        System.out.printf("e2e: %d sandboxes recorded, %d RUNNING, %d FAILED%n", ids.size(), running, ids.size() - running);
        assertThat(answers).extracting(Answer::status).as("the API never answered 500").doesNotContain(500);

        topology.reaperPass();
        assertThat(topology.ledger().orphanGuests()).as("orphan guests").isEmpty();
        assertThat(topology.ledger().leakedVmids()).as("leaked VMIDs").isEmpty();
        assertThat(topology.ledger().rowsWithoutGuest()).as("live rows without their guest").isEmpty();

        // Leave the topology as it was found for the next test: this team's sandboxes go.
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String id : ids) {
                pool.submit(() -> api.delete("/api/sandboxes/" + id, team.key()));
            }
        }
    }

    /** Also records every answer of the polling GETs, so that a 500 anywhere is seen. */
    private static boolean settled(Api api, Team team, String id, List<Answer> answers) {
        Answer a = api.get("/api/sandboxes/" + id, team.key());
        answers.add(a);
        String status = a.status() == 200 ? a.json().path("status").asText() : "";
        return status.equals("RUNNING") || status.equals("FAILED");
    }

    private long lastCallSeq() {
        return simulator.calls().stream().mapToLong(RecordedCall::seq).max().orElse(0);
    }
}
