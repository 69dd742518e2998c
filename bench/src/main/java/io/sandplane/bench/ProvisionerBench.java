package io.sandplane.bench;

import io.sandplane.devsupport.provisioner.SharedProvisioner;
import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.simulator.SimulatorControl;
import io.sandplane.devsupport.test.SharedPostgres;
import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.ServiceProcess;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Provisioner benchmark, against the built provisioner and simulator running as processes over the
 * embedded PostgreSQL:
 * <ol>
 * <li>overhead: with every simulator latency at zero, the time of one start (provision call until
 * RUNNING), sequentially, p50 and p99 per round (targets ≤ 15 ms and ≤ 50 ms);</li>
 * <li>parallelism: with clone 2 s and start 1 s, 20 concurrent starts of the preset with 4 template
 * copies, against the minimum the per-template clone lock allows: ceil(20 / 4) clones one after
 * another plus one start (target ≤ 1.2×).</li>
 * </ol>
 * Writes bench/results/provisioner.md. Arguments: {@code [rounds] [startsPerRound] [parallelRounds]}
 * (default 5, 100, max(3, rounds / 2 + 1)).
 */
public final class ProvisionerBench {

    private static final String STANDARD = "snapshot_std4c8g1";
    private static final int COPIES = 4;
    private static final int CONCURRENT = 20;
    private static final long CLONE_MS = 2000;
    private static final long START_MS = 1000;
    private static final int WARM_UP = 1000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String provisioner;
    private final SimulatorControl sim;
    private final EmbeddedPostgres pg;
    private final UUID team;
    /** Measured starts: sandbox id, wall-clock start and end of the provision call. */
    private final List<Timed> timed = new ArrayList<>();

    private record Timed(String id, Instant sent, Instant answered) {
    }

    private ProvisionerBench() throws SQLException {
        this.pg = SharedPostgres.get();
        // Both processes like production: full JIT, a roomier heap than the test launchers' defaults.
        ServiceProcess simulator = ServiceProcess.of("pve-simulator").healthOnServicePort()
                .env("SIM_TOKENS", SharedSimulator.TOKEN)
                .env("SIM_LATENCY_AUTH_FAILURE", "0ms")
                .jvmOptions(List.of("-Xmx512m"))
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::stop, "stop-pve-simulator"));
        this.sim = new SimulatorControl(simulator.url(), SharedSimulator.TOKEN);
        Map<String, String> pve = Map.of("PVE_API_URL", simulator.url() + "/api2/json", "PVE_API_TOKEN",
                SharedSimulator.TOKEN, "PVE_VERIFY_TLS", "false");
        List<String> jvm = new ArrayList<>(List.of("-Xmx512m"));
        // e.g. -Dbench.provisioner.jvm="-XX:StartFlightRecording=filename=/tmp/p.jfr" to profile it
        String extra = System.getProperty("bench.provisioner.jvm", "").strip();
        if (!extra.isEmpty()) {
            jvm.addAll(List.of(extra.split("\\s+")));
        }
        ServiceProcess process = ServiceProcess.of("provisioner").env(SharedProvisioner.env(pve)).jvmOptions(jvm).start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::stop, "stop-provisioner"));
        this.provisioner = process.url();
        this.team = insertTeam();
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int parallelRounds = args.length > 2 ? Integer.parseInt(args[2]) : Math.max(3, rounds / 2 + 1);
        ProvisionerBench bench = new ProvisionerBench();
        try {
            bench.run(rounds, perRound, parallelRounds);
        } finally {
            bench.sim.reset();
        }
        System.exit(0);
    }

    private void run(int rounds, int perRound, int parallelRounds) throws Exception {
        loadBefore = LoadAverage.oneMinute();
        sim.reset();
        sim.zeroLatencies();
        // Warm-up: JIT (the timings keep improving for several hundred starts), connection pools, caches (node list, DNS search domain).
        for (int i = 0; i < WARM_UP; i++) {
            startAndDelete();
        }
        timed.clear();
        List<Double> p50s = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            List<Double> samples = new ArrayList<>();
            for (int i = 0; i < perRound; i++) {
                samples.add(startAndDelete());
            }
            p50s.add(Stats.percentile(samples, 50));
            p99s.add(Stats.percentile(samples, 99));
            all.addAll(samples);
            System.out.printf(Locale.ROOT, "overhead round %d: p50 %.1f ms, p99 %.1f ms%n", r + 1, p50s.getLast(), p99s.getLast());
        }

        Map<String, Stats> phases = phases();
        phases.forEach((phase, st) -> System.out.printf(Locale.ROOT, "  %-34s %s%n", phase, st.format("%.2f")));

        sim.reset();
        sim.zeroLatencies();
        sim.setLatencies(Map.of("clone", CLONE_MS, "start", START_MS));
        double minimum = Math.ceil((double) CONCURRENT / COPIES) * CLONE_MS + START_MS;
        List<Double> makespans = new ArrayList<>();
        for (int r = 0; r < parallelRounds; r++) {
            double makespan = concurrentStarts();
            makespans.add(makespan);
            System.out.printf(Locale.ROOT, "parallel round %d: %d starts in %.0f ms (%.2fx the minimum)%n", r + 1,
                    CONCURRENT, makespan, makespan / minimum);
        }
        write(rounds, perRound, p50s, p99s, all, phases, minimum, makespans, loadBefore + " → " + LoadAverage.oneMinute());
    }

    private String loadBefore;

    /** The machine's 1-minute load average: the benchmark shares its cores with whatever else runs. */

    /**
     * Where the time of a start goes, from the events the provisioner wrote (same machine, same
     * clock): from the call to each step's event, step to step, to the RUNNING event, to the answer.
     */
    private Map<String, Stats> phases() throws SQLException {
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        try (Connection c = db(); PreparedStatement st = c.prepareStatement(
                "select type, step, to_status, detail, at from sandbox_events where sandbox_id = ? order by id")) {
            for (Timed t : timed) {
                st.setString(1, t.id());
                Instant previous = t.sent();
                String previousName = "call";
                try (var rs = st.executeQuery()) {
                    while (rs.next()) {
                        String type = rs.getString(1);
                        String name = switch (type) {
                            case "STEP" -> rs.getString(2);
                            case "STATUS" -> rs.getString(3);
                            case "ACTION" -> "placed";
                            default -> null;
                        };
                        if (name == null || "DELETING".equals(name) || "DELETED".equals(name)) {
                            continue;
                        }
                        Instant at = rs.getTimestamp(5).toInstant();
                        samples.computeIfAbsent(previousName + " → " + name, k -> new ArrayList<>())
                                .add(Duration.between(previous, at).toNanos() / 1e6);
                        previous = at;
                        previousName = name;
                    }
                }
                samples.computeIfAbsent(previousName + " → answer", k -> new ArrayList<>())
                        .add(Duration.between(previous, t.answered()).toNanos() / 1e6);
            }
        }
        Map<String, Stats> out = new LinkedHashMap<>();
        samples.forEach((k, v) -> out.put(k, Stats.of(v)));
        return out;
    }

    /** One start, timed from the provision call to its RUNNING answer; then the sandbox is deleted (not timed). */
    private double startAndDelete() throws Exception {
        String id = insertSandbox();
        Instant sent = Instant.now();
        long t0 = System.nanoTime();
        String state = call("POST", "/internal/sandboxes/" + id + "/provision");
        double ms = (System.nanoTime() - t0) / 1e6;
        timed.add(new Timed(id, sent, Instant.now()));
        if (!state.contains("\"RUNNING\"")) {
            throw new IllegalStateException("start failed: " + state);
        }
        call("DELETE", "/internal/sandboxes/" + id);
        return ms;
    }

    /** Makespan in ms of {@link #CONCURRENT} starts sent at once. */
    private double concurrentStarts() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
            ids.add(insertSandbox());
        }
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT);
        try {
            long t0 = System.nanoTime();
            List<CompletableFuture<String>> calls = ids.stream().map(id -> CompletableFuture.supplyAsync(() -> {
                try {
                    return call("POST", "/internal/sandboxes/" + id + "/provision");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, pool)).toList();
            for (CompletableFuture<String> c : calls) {
                String state = c.join();
                if (!state.contains("\"RUNNING\"")) {
                    throw new IllegalStateException("start failed: " + state);
                }
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            for (String id : ids) {
                call("DELETE", "/internal/sandboxes/" + id);
            }
            return ms;
        } finally {
            pool.shutdownNow();
        }
    }

    private String call(String method, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(provisioner + path))
                .header("X-Sandplane-Internal-Token", SharedProvisioner.INTERNAL_TOKEN)
                .header("Accept", "application/json")
                .timeout(Duration.ofMinutes(5))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private Connection db() throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(), EmbeddedPostgres.USER, "");
    }

    private UUID insertTeam() throws SQLException {
        UUID id = UUID.randomUUID();
        try (Connection c = db(); PreparedStatement st = c.prepareStatement("""
                insert into teams (id, slug, name, max_live_sandboxes, starts_per_hour, created_at, updated_at)
                values (?, ?, 'Benchmark', 100000, 100000, now(), now())""")) {
            st.setObject(1, id);
            st.setString(2, "bench-" + id.toString().substring(0, 8));
            st.executeUpdate();
        }
        return id;
    }

    /** A PROVISIONING row as sandbox-api inserts it. */
    private String insertSandbox() throws SQLException {
        String id = SandboxIds.newId();
        try (Connection c = db(); PreparedStatement st = c.prepareStatement("""
                insert into sandboxes (id, team_id, provider, snapshot_id, status, ttl_seconds, ttl_action, metadata,
                                       created_at, updated_at, status_changed_at)
                values (?, ?, 'pve-lxc', ?, 'PROVISIONING', 3600, 'STOP', '{}'::jsonb, now(), now(), now())""")) {
            st.setString(1, id);
            st.setObject(2, team);
            st.setString(3, STANDARD);
            st.executeUpdate();
        }
        return id;
    }

    private static void write(int rounds, int perRound, List<Double> p50s, List<Double> p99s, List<Double> all,
            Map<String, Stats> phases, double minimum, List<Double> makespans, String load) throws IOException {
        StringBuilder phaseRows = new StringBuilder();
        phases.forEach((phase, st) -> phaseRows.append("| ").append(phase).append(" | ")
                .append(st.format("%.2f")).append(" |\n"));
        Stats p50 = Stats.of(p50s);
        Stats p99 = Stats.of(p99s);
        Stats span = Stats.of(makespans);
        List<Double> ratios = makespans.stream().map(m -> m / minimum).toList();
        Stats ratio = Stats.of(ratios);
        Map<String, String> verdict = new LinkedHashMap<>();
        verdict.put("p50", p50.median() <= 15 ? "met" : "MISSED");
        verdict.put("p99", p99.median() <= 50 ? "met" : "MISSED");
        verdict.put("ratio", ratio.median() <= 1.2 ? "met" : "MISSED");
        String report = String.format(Locale.ROOT, """
                # Provisioner benchmark

                `bench/run provisioner` — %s, %d CPU cores (1-minute load average %s during the run), Java %s. The provisioner and the pve-simulator run as
                separate processes (their built jars) over the embedded PostgreSQL; requests go over HTTP to
                `POST /internal/sandboxes/{id}/provision`, timed until the RUNNING answer. Sandbox rows are
                inserted as sandbox-api inserts them. Medians over rounds, with min and max.

                ## Provisioning overhead (simulator latencies zero)

                Each start: VMID allocation (PostgreSQL) + `nextid` check, placement and clone lock, linked clone
                and task wait, config PUT, start and task wait, `/interfaces`, execd `/healthz`, with every step
                written to the row and the event log. %d rounds of %d sequential starts after %d warm-up starts.
                Both processes run with full JIT (`-Xmx512m`).

                | metric | median of rounds | target | |
                |---|---|---|---|
                | p50 per start (ms) | %s | ≤ 15 | %s |
                | p99 per start (ms) | %s | ≤ 50 | %s |

                All %d starts: min %.1f ms, median %.1f ms, max %.1f ms.

                Where the time goes (ms, from the events the provisioner wrote; median with min and max over all
                starts):

                | phase | ms |
                |---|---|
                %s

                ## 20 concurrent starts on 4 template copies (clone 2 s, start 1 s)

                PVE allows one clone of a template at a time, so 20 starts on 4 copies need at least
                ceil(20 / 4) × 2 s of clones one after another plus a 1 s start: %.0f ms.

                | metric | median of rounds | target | |
                |---|---|---|---|
                | makespan (ms) | %s | | |
                | makespan / minimum | %s | ≤ 1.2 | %s |
                """,
                Instant.now().toString().substring(0, 10), Runtime.getRuntime().availableProcessors(), load,
                System.getProperty("java.version"), rounds, perRound, WARM_UP,
                p50.format("%.1f"), verdict.get("p50"), p99.format("%.1f"), verdict.get("p99"),
                all.size(), Stats.of(all).min(), Stats.of(all).median(), Stats.of(all).max(), phaseRows.toString().strip(),
                minimum, span.format("%.0f"), ratio.format("%.2f"), verdict.get("ratio"));
        Path out = Path.of("bench/results/provisioner.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(report);
    }
}
