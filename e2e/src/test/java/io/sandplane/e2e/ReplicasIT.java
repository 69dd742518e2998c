package io.sandplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandplane.devsupport.topology.Topology.Service;
import io.sandplane.e2e.support.Api;
import io.sandplane.e2e.support.Api.Answer;
import io.sandplane.e2e.support.E2eTopology;
import io.sandplane.e2e.support.Json;
import io.sandplane.e2e.support.Starts;
import io.sandplane.e2e.support.Teams.Team;
import io.sandplane.e2e.support.Topologies;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Fault run: two replicas each of sandbox-api, provisioner and reaper over one database. 40
 * concurrent starts spread over both API replicas get distinct VMIDs, the team's start rate is
 * enforced exactly across replicas, and of the two reapers exactly one acts.
 */
class ReplicasIT {

    private static final int STARTS = 40;
    private static final int STARTS_PER_HOUR = 25;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final E2eTopology topology = Topologies.replicated();

    @Test
    void fortyConcurrentStartsOnTwoReplicas() throws Exception {
        Team team = topology.team().maxLiveSandboxes(STARTS).startsPerHour(STARTS_PER_HOUR).create();
        List<Answer> answers = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Answer>> starts = new ArrayList<>();
            for (int i = 0; i < STARTS; i++) {
                Api api = topology.api(i % 2);
                starts.add(pool.submit(() -> {
                    go.await();
                    return api.post("/api/sandboxes", team.key(), Starts.body().json());
                }));
            }
            go.countDown();
            for (Future<Answer> f : starts) {
                answers.add(f.get());
            }
        }

        List<Answer> admitted = answers.stream().filter(a -> a.status() == 201).toList();
        List<Answer> refused = answers.stream().filter(a -> a.status() == 429).toList();
        assertThat(answers).extracting(Answer::status).as("every start was admitted or refused").containsOnly(201, 429);
        assertThat(admitted).as("admitted, exactly the team's starts per hour").hasSize(STARTS_PER_HOUR);
        assertThat(refused).hasSize(STARTS - STARTS_PER_HOUR);
        for (Answer r : refused) {
            assertThat(r.json().path("type").asText()).endsWith("rate-limited");
            assertThat(r.header("Retry-After")).isNotBlank();
            assertThat(r.header("X-RateLimit-Limit")).isEqualTo(Integer.toString(STARTS_PER_HOUR));
            assertThat(r.header("X-RateLimit-Remaining")).isEqualTo("0");
        }
        JsonNode usage = topology.api(1).get("/api/team", team.key()).json();
        assertThat(usage.path("startsLastHour").asLong()).isEqualTo(STARTS_PER_HOUR);
        assertThat(usage.path("liveSandboxes").asLong()).isEqualTo(STARTS_PER_HOUR);

        List<String> ids = admitted.stream().map(a -> a.json().path("id").asText()).toList();
        List<Integer> vmids = admitted.stream().map(a -> a.json().path("vmid").asInt()).toList();
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(vmids).as("VMIDs").doesNotHaveDuplicates().doesNotContainNull();
        assertThat(topology.ledger().allocatedVmids()).as("allocated VMIDs").doesNotHaveDuplicates().containsAll(vmids);
        for (Answer a : admitted) {
            assertThat(a.json().path("status").asText()).isEqualTo("RUNNING");
            String id = a.json().path("id").asText();
            assertThat(String.valueOf(topology.simulator().guest(a.json().path("vmid").asInt()).orElseThrow().config()
                    .get("tags"))).as("the guest on its VMID is this sandbox's").contains(id);
        }

        // Two reapers: exactly one leads, and only it acts. Every sandbox's TTL runs out now.
        await("one reaper leads").atMost(Duration.ofSeconds(30)).until(() -> leaders() == 1);
        int leader = topology.reaper(0, "GET", "/internal/reaper/status").body().path("leader").asBoolean() ? 0 : 1;
        String leaderInstance = topology.reaper(leader, "GET", "/internal/reaper/status").body().path("instance").asText();
        assertThat(topology.reaper(1 - leader, "GET", "/internal/reaper/status").body().path("leaderInstance").asText())
                .as("the standby names the leader").isEqualTo(leaderInstance);
        double ttlActionsBefore = ttlActionsDone(0) + ttlActionsDone(1);
        for (String id : ids) {
            Answer shortened = topology.api(0).post("/api/sandboxes/" + id + "/ttl", team.key(), Json.object().put("ttlSeconds", 1));
            assertThat(shortened.status()).as(shortened.toString()).isEqualTo(200);
        }
        await("the reaper pauses every expired sandbox").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> ids.stream().allMatch(id -> topology.api(1).status(id, team.key()).equals("PAUSED")));
        // A few more passes of both replicas go by: still one action per sandbox.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> leaders() == 1);
        for (String id : ids) {
            JsonNode events = topology.api(0).get("/api/sandboxes/" + id + "/events", team.key()).json();
            List<String> reaperActions = new ArrayList<>();
            events.forEach(e -> {
                if (e.path("type").asText().equals("ACTION") && e.path("actor").asText().equals("reaper")) {
                    reaperActions.add(e.path("detail").asText());
                }
            });
            assertThat(reaperActions).as("reaper actions on " + id).hasSize(1);
            assertThat(reaperActions.getFirst()).contains("ttl");
        }
        assertThat(ttlActionsDone(leader)).as("TTL actions of the leader").isGreaterThanOrEqualTo(STARTS_PER_HOUR);
        assertThat(ttlActionsDone(1 - leader)).as("TTL actions of the standby").isZero();
        assertThat(ttlActionsDone(0) + ttlActionsDone(1) - ttlActionsBefore).isEqualTo(STARTS_PER_HOUR);

        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String id : ids) {
                pool.submit(() -> topology.api().delete("/api/sandboxes/" + id, team.key()));
            }
        }
    }

    private int leaders() {
        int leaders = 0;
        for (int i = 0; i < 2; i++) {
            if (topology.reaper(i, "GET", "/internal/reaper/status").body().path("leader").asBoolean()) {
                leaders++;
            }
        }
        return leaders;
    }

    /** {@code reaper_actions_total{rule="ttl",outcome="done"}} of one reaper replica, all verbs together. */
    private double ttlActionsDone(int replica) {
        String metrics = get(topology.process(Service.REAPER, replica).managementUrl() + "/q/metrics");
        return metrics.lines().filter(l -> l.startsWith("reaper_actions_total{") && l.contains("rule=\"ttl\"")
                && l.contains("outcome=\"done\"")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static String get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
