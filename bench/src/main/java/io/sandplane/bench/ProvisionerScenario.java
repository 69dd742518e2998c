package io.sandplane.bench;

import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.entity.Team;
import io.sandplane.devsupport.provisioner.SharedProvisioner;
import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.simulator.SimulatorControl;
import io.sandplane.devsupport.test.SharedPostgres;
import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.ServiceProcess;
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
 * (default 5, 100, max(3, rounds / 2 + 1)) and {@code --warm-up N} (default 1000).
 */
final class ProvisionerScenario implements Scenario {

    private static final int COPIES = 4;
    private static final int CONCURRENT = 20;
    private static final long CLONE_MS = 2000;
    private static final long START_MS = 1000;
    private static final int WARM_UP = 1000;

    @Override
    public String name() {
        return "provisioner";
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String provisioner;
    private SimulatorControl sim;
    private BenchDatabase db;
    private UUID team;
    /** Measured starts: sandbox id, wall-clock start and end of the provision call. */
    private final List<Timed> timed = new ArrayList<>();

    private record Timed(String id, Instant sent, Instant answered) {
    }

    /** Starts the simulator and the provisioner as processes over the shared PostgreSQL, and the bench team. */
    private void startServices() {
        EmbeddedPostgres pg = SharedPostgres.get();
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
        // After the provisioner's start: its Flyway migrations made the tables.
        this.db = BenchDatabase.open(pg);
        Team benchTeam = BenchDatabase.team("bench", "Benchmark");
        db.insert(benchTeam);
        this.team = benchTeam.id;
    }

    @Override
    public void run(BenchRun run) throws Exception {
        int rounds = run.args().positional(0, 5);
        int perRound = run.args().positional(1, 100);
        int parallelRounds = run.args().positional(2, Math.max(3, rounds / 2 + 1));
        int warmUp = run.args().integer("--warm-up", WARM_UP);
        startServices();
        try {
            measure(rounds, perRound, parallelRounds, warmUp, run.quiet());
        } finally {
            sim.reset();
            db.close();
        }
    }

    private void measure(int rounds, int perRound, int parallelRounds, int warmUp, QuietMachine.Wait quiet) throws Exception {
        String loadBefore = LoadAverage.oneMinute();
        sim.reset();
        sim.zeroLatencies();
        // Warm-up: JIT (the timings keep improving for several hundred starts), connection pools, caches (node list, DNS search domain).
        for (int i = 0; i < warmUp; i++) {
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
        write(rounds, perRound, warmUp, p50s, p99s, all, phases, minimum, makespans,
                loadBefore + " → " + LoadAverage.oneMinute() + "; " + quiet.describe());
    }

    /**
     * Where the time of a start goes, from the events the provisioner wrote (same machine, same
     * clock): from the call to each step's event, step to step, to the RUNNING event, to the answer.
     */
    private Map<String, Stats> phases() {
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        for (Timed t : timed) {
            Instant previous = t.sent();
            String previousName = "call";
            for (SandboxEvent event : db.events(t.id())) {
                String name = switch (event.type) {
                    case STEP -> event.step.name();
                    case STATUS -> event.toStatus.name();
                    case ACTION -> "placed";
                    case ERROR -> null;
                };
                if (name == null || "DELETING".equals(name) || "DELETED".equals(name)) {
                    continue;
                }
                samples.computeIfAbsent(previousName + " → " + name, k -> new ArrayList<>())
                        .add(Duration.between(previous, event.at).toNanos() / 1e6);
                previous = event.at;
                previousName = name;
            }
            samples.computeIfAbsent(previousName + " → answer", k -> new ArrayList<>())
                    .add(Duration.between(previous, t.answered()).toNanos() / 1e6);
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

    /** A PROVISIONING row as sandbox-api inserts it. */
    private String insertSandbox() {
        Sandbox sandbox = BenchDatabase.sandbox(team);
        db.insert(sandbox);
        return sandbox.id;
    }

    private void write(int rounds, int perRound, int warmUp, List<Double> p50s, List<Double> p99s, List<Double> all,
            Map<String, Stats> phases, double minimum, List<Double> makespans, String load) throws IOException {
        Stats p50 = Stats.of(p50s);
        Stats p99 = Stats.of(p99s);
        Stats span = Stats.of(makespans);
        Stats ratio = Stats.of(makespans.stream().map(m -> m / minimum).toList());
        Stats starts = Stats.of(all);
        MarkdownReport report = new MarkdownReport().title("Provisioner benchmark")
                .paragraph("""
                        `bench/run provisioner` — %s, %d CPU cores (1-minute load average %s during the run), Java %s. The provisioner and the pve-simulator run as
                        separate processes (their built jars) over the embedded PostgreSQL; requests go over HTTP to
                        `POST /internal/sandboxes/{id}/provision`, timed until the RUNNING answer. Sandbox rows are
                        inserted as sandbox-api inserts them. Medians over rounds, with min and max.""",
                        Instant.now().toString().substring(0, 10), Runtime.getRuntime().availableProcessors(), load,
                        System.getProperty("java.version"))
                .section("Provisioning overhead (simulator latencies zero)")
                .paragraph("""
                        Each start: VMID allocation (PostgreSQL) + `nextid` check, placement and clone lock, linked clone
                        and task wait, config PUT, start and task wait, `/interfaces`, execd `/healthz`, with every step
                        written to the row and the event log. %d rounds of %d sequential starts after %d warm-up starts.
                        Both processes run with full JIT (`-Xmx512m`).""", rounds, perRound, warmUp)
                .table("metric", "median of rounds", "target", "")
                .row("p50 per start (ms)", p50.format("%.1f"), "≤ 15", verdict(p50.median() <= 15))
                .row("p99 per start (ms)", p99.format("%.1f"), "≤ 50", verdict(p99.median() <= 50))
                .end()
                .paragraph("All %d starts: min %.1f ms, median %.1f ms, max %.1f ms.", all.size(), starts.min(), starts.median(),
                        starts.max())
                .paragraph("""
                        Where the time goes (ms, from the events the provisioner wrote; median with min and max over all
                        starts):""");
        MarkdownReport.Table phaseTable = report.table("phase", "ms");
        phases.forEach((phase, st) -> phaseTable.row(phase, st.format("%.2f")));
        phaseTable.end()
                .section("20 concurrent starts on 4 template copies (clone 2 s, start 1 s)")
                .paragraph("""
                        PVE allows one clone of a template at a time, so 20 starts on 4 copies need at least
                        ceil(20 / 4) × 2 s of clones one after another plus a 1 s start: %.0f ms.""", minimum)
                .table("metric", "median of rounds", "target", "")
                .row("makespan (ms)", span.format("%.0f"), "", "")
                .row("makespan / minimum", ratio.format("%.2f"), "≤ 1.2", verdict(ratio.median() <= 1.2))
                .end()
                .write(name());
    }

    private static String verdict(boolean met) {
        return met ? "met" : "MISSED";
    }
}
