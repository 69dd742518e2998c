package io.sandplane.bench;

import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.Team;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.ProjectLayout;
import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.provisioner.SharedProvisioner;
import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.simulator.SimulatorControl;
import io.sandplane.devsupport.test.SharedPostgres;
import io.sandplane.model.lifecycle.SandboxIds;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reaper benchmark: one pass over 10,000 sandbox rows and 10,000 guests (target ≤ 2 s), with one
 * guest-list call per node (not per sandbox).
 *
 * <p>The built reaper, provisioner and simulator run as processes over the embedded PostgreSQL.
 * The database holds 10,000 RUNNING sandboxes spread over the simulator's three nodes, each with its
 * VMID allocation; 100 of them are past their TTL. The simulator holds their 10,000 guests (stopped,
 * so that it does not open 60,000 loopback listeners; the reaper does not compare power states)
 * plus 50 tagged guests without a row (orphans). The reaper runs in dry-run, so every pass sees
 * the same world and decides the same 100 stops, 50 orphans on hold and nothing else; it still
 * reads each decided sandbox again, as a real pass does. Passes are started on demand
 * ({@code POST /internal/reaper/passes}); the pass's own duration (from its report) and the
 * round-trip are measured, and the simulator's recorded calls count the list calls per pass.
 *
 * <p>Writes bench/results/reaper.md. Arguments: {@code [runs] [sandboxes]} (default 9, 10000).
 */
final class ReaperScenario implements Scenario {

    private static final String TOKEN = SharedProvisioner.INTERNAL_TOKEN;
    private static final List<String> NODES = List.of("pve1", "pve2", "pve3");
    private static final int EXPIRED = 100;
    private static final int ORPHANS = 50;
    private static final int WARMUP = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    public String name() {
        return "reaper";
    }

    @Override
    public void run(BenchRun run) throws Exception {
        measure(run.args().positional(0, 9), run.args().positional(1, 10_000), run.quiet());
    }

    private void measure(int runs, int sandboxes, QuietMachine.Wait quiet) throws Exception {
        EmbeddedPostgres pg = SharedPostgres.get();
        SharedSimulator simulator = SharedSimulator.get();
        SimulatorControl sim = simulator.control();
        sim.reset();
        sim.zeroLatencies();
        String provisioner = SharedProvisioner.get().url();

        System.out.printf("seeding %d sandboxes and %d guests%n", sandboxes, sandboxes + ORPHANS);
        // After the provisioner's start: its Flyway migrations made the tables.
        BenchDatabase db = BenchDatabase.open(pg);
        int firstVmid = 100_000;
        long seedStart = System.nanoTime();
        List<String> ids = seedDatabase(db, sandboxes, firstVmid);
        seedSimulator(sim, ids, firstVmid);
        System.out.printf("seeded in %.1f s%n", (System.nanoTime() - seedStart) / 1e9);

        Map<String, String> env = new LinkedHashMap<>(SharedPostgres.datasourceEnv());
        env.put("SANDPLANE_INTERNAL_TOKEN", TOKEN);
        env.put("SANDPLANE_PROVISIONER_URL", provisioner);
        // Passes are started by the benchmark; the scheduled one would only add noise.
        env.put("REAPER_INTERVAL", "1h");
        env.put("REAPER_DRY_RUN", "true");
        env.put("REAPER_INSTANCE_ID", "bench");
        ServiceProcess reaper = ServiceProcess.of("reaper").env(env)
                .jvmOptions(List.of("-Xmx512m"))
                .logFile(ProjectLayout.root().resolve("bench/target/reaper-bench.log"))
                .start();
        try {
            // The first scheduled pass runs at start-up; wait for it so that on-demand passes are not refused.
            JsonNode first = awaitFirstPass(reaper.url());
            List<Double> passMs = new ArrayList<>();
            List<Double> roundTripMs = new ArrayList<>();
            List<Double> listCalls = new ArrayList<>();
            List<Double> allCalls = new ArrayList<>();
            Map<String, List<Double>> phases = new LinkedHashMap<>();
            JsonNode last = null;
            for (int i = 0; i < WARMUP + runs; i++) {
                sim.clearCalls();
                long t0 = System.nanoTime();
                JsonNode report = pass(reaper.url());
                double roundTrip = (System.nanoTime() - t0) / 1e6;
                check(report, sandboxes);
                int lists = sim.calls("GET", "^/nodes/[^/]+/lxc$").size();
                if (i >= WARMUP) {
                    passMs.add(report.path("durationMs").asDouble());
                    roundTripMs.add(roundTrip);
                    listCalls.add((double) lists);
                    allCalls.add((double) sim.calls().size());
                    report.path("phases").fields().forEachRemaining(
                            f -> phases.computeIfAbsent(f.getKey(), k -> new ArrayList<>()).add(f.getValue().asDouble()));
                }
                last = report;
                System.out.printf("pass %d: %d ms (round trip %.0f ms), %d list calls%n", i + 1,
                        report.path("durationMs").asLong(), roundTrip, lists);
            }
            write(runs, sandboxes, first, Stats.of(passMs), Stats.of(roundTripMs), Stats.of(listCalls), Stats.of(allCalls),
                    phases, last, quiet);
        } finally {
            reaper.stop();
            db.deleteSandboxes();
            db.close();
            sim.reset();
        }
    }

    private static void check(JsonNode report, int sandboxes) {
        if (!"SUCCEEDED".equals(report.path("outcome").asText())) {
            throw new IllegalStateException("pass did not succeed: " + report);
        }
        if (report.path("rowsSeen").asInt() != sandboxes || report.path("guestsSeen").asInt() != sandboxes + ORPHANS) {
            throw new IllegalStateException("pass saw " + report.path("rowsSeen") + " rows and " + report.path("guestsSeen")
                    + " guests");
        }
        long dryRunStops = 0;
        for (JsonNode a : report.path("actions")) {
            if ("DRY_RUN".equals(a.path("outcome").asText()) && "stop".equals(a.path("action").asText())) {
                dryRunStops++;
            }
        }
        if (dryRunStops != EXPIRED) {
            throw new IllegalStateException("expected " + EXPIRED + " dry-run stops, the pass decided " + dryRunStops);
        }
    }

    private JsonNode awaitFirstPass(String url) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = JSON.readTree(send("GET", url + "/internal/reaper/status").body());
            if (status.path("lastPass").has("outcome")) {
                return status.path("lastPass");
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the reaper ran no pass within 2 minutes");
    }

    private JsonNode pass(String url) throws Exception {
        HttpResponse<String> r = send("POST", url + "/internal/reaper/passes");
        if (r.statusCode() != 200) {
            throw new IllegalStateException("pass answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> send(String method, String url) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                .header("X-Sandplane-Internal-Token", TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * {@code sandboxes} RUNNING rows spread over the nodes, each holding its VMID, the first {@link #EXPIRED}
     * past their TTL; what was there before goes, so every run sees the same world. Returns their ids.
     */
    private static List<String> seedDatabase(BenchDatabase db, int sandboxes, int firstVmid) {
        db.deleteSandboxes();
        Team team = BenchDatabase.team("reaper-bench", "Reaper bench");
        Instant past = Instant.now().minus(Duration.ofMinutes(5));
        Instant future = Instant.now().plus(Duration.ofHours(8));
        List<Object> rows = new ArrayList<>(List.of(team));
        List<Object> allocations = new ArrayList<>();
        List<String> ids = new ArrayList<>(sandboxes);
        for (int i = 0; i < sandboxes; i++) {
            Sandbox s = BenchDatabase.running(BenchDatabase.sandbox(team.id), firstVmid + i, NODES.get(i % NODES.size()));
            s.expiresAt = i < EXPIRED ? past : future;
            rows.add(s);
            allocations.add(BenchDatabase.allocation(firstVmid + i, s.id));
            ids.add(s.id);
        }
        rows.addAll(allocations);
        db.insert(rows);
        return ids;
    }

    /** The default scenario plus a stopped guest per sandbox and the orphans, loaded in one call. */
    private static void seedSimulator(SimulatorControl sim, List<String> ids, int firstVmid) throws IOException {
        ObjectNode scenario = (ObjectNode) JSON.readTree(sim.scenarioJson());
        ArrayNode guests = (ArrayNode) scenario.withArray("guests");
        for (int i = 0; i < ids.size() + ORPHANS; i++) {
            int vmid = firstVmid + i;
            String tag = i < ids.size() ? ids.get(i) : SandboxIds.newId();
            ObjectNode g = guests.addObject();
            g.put("vmid", vmid);
            g.put("node", NODES.get(i % NODES.size()));
            g.put("type", "lxc");
            g.put("status", "stopped");
            ObjectNode config = g.putObject("config");
            config.put("hostname", "cmux-" + vmid);
            config.put("memory", 8192);
            config.put("cores", 4);
            config.put("rootfs", "local-lvm:vm-" + vmid + "-disk-0,size=32G");
            config.put("net0", "name=eth0,bridge=vmbr0,ip=dhcp,type=veth");
            config.put("tags", "sandplane;" + tag + ";team-bench");
        }
        sim.loadScenario(JSON.writeValueAsString(scenario));
    }


    private void write(int runs, int sandboxes, JsonNode first, Stats pass, Stats roundTrip, Stats lists, Stats calls,
            Map<String, List<Double>> phases, JsonNode last, QuietMachine.Wait quiet) throws IOException {
        MarkdownReport report = new MarkdownReport().title("Reaper benchmark")
                .paragraph("One reconcile pass over %d sandbox rows and %d guests (%d owned + %d orphans) on three simulated nodes. "
                        + "Target: ≤ 2 s per pass, one guest-list call per node.", sandboxes, sandboxes + ORPHANS, sandboxes, ORPHANS)
                .paragraph("Run with `bench/run reaper` on %d cores (load average %s when it started, a machine shared with other "
                        + "builds; %s), %s. The built reaper (JVM, `-Xmx512m`), provisioner and pve-simulator run as processes over "
                        + "the embedded PostgreSQL; simulator latencies are zero. The reaper runs in dry-run so every pass sees the "
                        + "same world: it decides %d TTL stops (and reads each of those rows again before reporting it, as a real "
                        + "pass does), holds the %d orphans within their grace period and does nothing else. %d warm-up passes, "
                        + "then %d measured passes.", Runtime.getRuntime().availableProcessors(), LoadAverage.all(), quiet.describe(),
                        Instant.now(), EXPIRED, ORPHANS, WARMUP, runs)
                .table("measure", "median (min, max)")
                .row("pass duration (the pass's own report)", pass.format("%.0f ms"))
                .row("pass round trip (POST /internal/reaper/passes)", roundTrip.format("%.0f ms"))
                .row("guest-list calls per pass (`GET /nodes/{node}/lxc`)", lists.format("%.0f"))
                .row("all PVE API calls per pass", calls.format("%.0f"))
                .row("first pass after start-up (cold JVM, records the orphan sightings)", first.path("durationMs").asLong() + " ms")
                .end()
                .paragraph("Where a pass spends its time (the pass report's phases):");
        Map<String, String> names = Map.of("rowsMs", "read the live rows", "guestsMs",
                "list the guests (provisioner → PVE, one call per node)", "restMs",
                "read sightings, VMID allocations, templates", "decideMs", "decide (pure) and save orphan sightings",
                "actMs", "act (here: re-read each decided row, dry-run)");
        MarkdownReport.Table phaseTable = report.table("phase", "median (min, max)");
        phases.forEach((phase, samples) -> phaseTable.row(names.getOrDefault(phase, phase), Stats.of(samples).format("%.0f ms")));
        boolean met = pass.max() <= 2000 && lists.max() <= 3;
        List<String> held = new ArrayList<>();
        last.path("held").forEach(h -> held.add(h.path("rule").asText() + " " + h.path("count").asInt()));
        phaseTable.end()
                .paragraph("Result: %s — slowest measured pass %.0f ms, at most %.0f list calls for 3 nodes.",
                        met ? "target met" : "TARGET MISSED", pass.max(), lists.max())
                .paragraph("Last pass: %d rows, %d guests, %d actions decided, held: %s.", last.path("rowsSeen").asInt(),
                        last.path("guestsSeen").asInt(), last.path("actions").size(), held.isEmpty() ? "none" : String.join(", ", held))
                .write(name());
    }
}
