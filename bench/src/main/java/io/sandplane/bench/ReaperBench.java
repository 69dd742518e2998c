package io.sandplane.bench;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

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
public final class ReaperBench {

    private static final String TOKEN = SharedProvisioner.INTERNAL_TOKEN;
    private static final List<String> NODES = List.of("pve1", "pve2", "pve3");
    private static final int EXPIRED = 100;
    private static final int ORPHANS = 50;
    private static final int WARMUP = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        int sandboxes = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        new ReaperBench().run(runs, sandboxes);
        System.exit(0);
    }

    private void run(int runs, int sandboxes) throws Exception {
        EmbeddedPostgres pg = SharedPostgres.get();
        SharedSimulator simulator = SharedSimulator.get();
        SimulatorControl sim = simulator.control();
        sim.reset();
        sim.zeroLatencies();
        String provisioner = SharedProvisioner.get().url();

        System.out.printf("seeding %d sandboxes and %d guests%n", sandboxes, sandboxes + ORPHANS);
        List<String> ids = new ArrayList<>(sandboxes);
        for (int i = 0; i < sandboxes; i++) {
            ids.add(SandboxIds.newId());
        }
        int firstVmid = 100_000;
        long seedStart = System.nanoTime();
        seedDatabase(pg, ids, firstVmid);
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
                    phases, last);
        } finally {
            reaper.stop();
            cleanDatabase(pg);
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

    private static void seedDatabase(EmbeddedPostgres pg, List<String> ids, int firstVmid) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), EmbeddedPostgres.USER, "")) {
            c.setAutoCommit(false);
            cleanDatabase(c);
            UUID team = UUID.randomUUID();
            Timestamp now = Timestamp.from(Instant.now());
            try (PreparedStatement t = c.prepareStatement("""
                    insert into teams (id, slug, name, max_live_sandboxes, starts_per_hour, created_at, updated_at)
                    values (?, ?, 'Reaper bench', 100000, 100000, ?, ?)""")) {
                t.setObject(1, team);
                t.setString(2, "reaper-bench-" + team.toString().substring(0, 8));
                t.setTimestamp(3, now);
                t.setTimestamp(4, now);
                t.executeUpdate();
            }
            Timestamp past = Timestamp.from(Instant.now().minus(Duration.ofMinutes(5)));
            Timestamp future = Timestamp.from(Instant.now().plus(Duration.ofHours(8)));
            try (PreparedStatement s = c.prepareStatement("""
                    insert into sandboxes (id, team_id, provider, snapshot_id, preset_id, template_version, status, step,
                      vmid, node, ttl_seconds, ttl_action, expires_at, created_at, updated_at, status_changed_at)
                    values (?, ?, 'pve-lxc', 'snapshot_std4c8g1', '4vcpu_8gb_32gb', 1, 'RUNNING', 'EXECD_HEALTHY',
                      ?, ?, 3600, 'STOP', ?, ?, ?, ?)""");
                    PreparedStatement a = c.prepareStatement("""
                    insert into vmid_allocations (cluster, vmid, sandbox_id, state, allocated_at)
                    values ('default', ?, ?, 'ALLOCATED', ?)""")) {
                for (int i = 0; i < ids.size(); i++) {
                    s.setString(1, ids.get(i));
                    s.setObject(2, team);
                    s.setInt(3, firstVmid + i);
                    s.setString(4, NODES.get(i % NODES.size()));
                    s.setTimestamp(5, i < EXPIRED ? past : future);
                    s.setTimestamp(6, now);
                    s.setTimestamp(7, now);
                    s.setTimestamp(8, now);
                    s.addBatch();
                    a.setInt(1, firstVmid + i);
                    a.setString(2, ids.get(i));
                    a.setTimestamp(3, now);
                    a.addBatch();
                    if (i % 1000 == 999) {
                        s.executeBatch();
                        a.executeBatch();
                    }
                }
                s.executeBatch();
                a.executeBatch();
            }
            c.commit();
        }
    }

    private static void cleanDatabase(EmbeddedPostgres pg) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), EmbeddedPostgres.USER, "")) {
            cleanDatabase(c);
        }
    }

    private static void cleanDatabase(Connection c) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("delete from reaper_orphan_sightings");
            st.execute("delete from vmid_allocations");
            st.execute("delete from sandboxes");
        }
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


    private static void write(int runs, int sandboxes, JsonNode first, Stats pass, Stats roundTrip, Stats lists, Stats calls,
            Map<String, List<Double>> phases, JsonNode last) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Reaper benchmark\n\n");
        md.append("One reconcile pass over ").append(sandboxes).append(" sandbox rows and ").append(sandboxes + ORPHANS)
                .append(" guests (").append(sandboxes).append(" owned + ").append(ORPHANS)
                .append(" orphans) on three simulated nodes. Target: ≤ 2 s per pass, one guest-list call per node.\n\n");
        md.append("Run with `bench/run reaper` on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores (load average ").append(LoadAverage.all()).append(" when it started, a machine shared with ")
                .append("other builds), ").append(Instant.now()).append(". The built reaper (JVM, `-Xmx512m`), provisioner and ")
                .append("pve-simulator run as processes over the embedded PostgreSQL; simulator latencies are zero. ")
                .append("The reaper runs in dry-run so every pass sees the same world: it decides ").append(EXPIRED)
                .append(" TTL stops (and reads each of those rows again before reporting it, as a real pass does), ")
                .append("holds the ").append(ORPHANS).append(" orphans within their grace period and does nothing else. ")
                .append(WARMUP).append(" warm-up passes, then ").append(runs).append(" measured passes.\n\n");
        md.append("| measure | median (min, max) |\n|---|---|\n");
        md.append("| pass duration (the pass's own report) | ").append(pass.format("%.0f ms")).append(" |\n");
        md.append("| pass round trip (POST /internal/reaper/passes) | ").append(roundTrip.format("%.0f ms")).append(" |\n");
        md.append("| guest-list calls per pass (`GET /nodes/{node}/lxc`) | ").append(lists.format("%.0f")).append(" |\n");
        md.append("| all PVE API calls per pass | ").append(calls.format("%.0f")).append(" |\n");
        md.append("| first pass after start-up (cold JVM, records the orphan sightings) | ")
                .append(first.path("durationMs").asLong()).append(" ms |\n\n");
        md.append("Where a pass spends its time (the pass report's phases):\n\n| phase | median (min, max) |\n|---|---|\n");
        Map<String, String> names = Map.of("rowsMs", "read the live rows", "guestsMs",
                "list the guests (provisioner → PVE, one call per node)", "restMs",
                "read sightings, VMID allocations, templates", "decideMs", "decide (pure) and save orphan sightings",
                "actMs", "act (here: re-read each decided row, dry-run)");
        phases.forEach((phase, samples) -> md.append("| ").append(names.getOrDefault(phase, phase)).append(" | ")
                .append(Stats.of(samples).format("%.0f ms")).append(" |\n"));
        md.append('\n');
        boolean met = pass.max() <= 2000 && lists.max() <= 3;
        md.append("Result: ").append(met ? "target met" : "TARGET MISSED").append(" — slowest measured pass ")
                .append(String.format(Locale.ROOT, "%.0f ms", pass.max())).append(", at most ")
                .append(String.format(Locale.ROOT, "%.0f", lists.max())).append(" list calls for 3 nodes.\n\n");
        md.append("Last pass: ").append(last.path("rowsSeen").asInt()).append(" rows, ").append(last.path("guestsSeen").asInt())
                .append(" guests, ").append(last.path("actions").size()).append(" actions decided, held: ");
        List<String> held = new ArrayList<>();
        last.path("held").forEach(h -> held.add(h.path("rule").asText() + " " + h.path("count").asInt()));
        md.append(held.isEmpty() ? "none" : String.join(", ", held)).append(".\n");
        Path out = ProjectLayout.root().resolve("bench/results/reaper.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println(md);
        System.out.println("wrote " + out);
    }
}
