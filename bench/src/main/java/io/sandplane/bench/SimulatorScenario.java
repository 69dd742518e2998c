package io.sandplane.bench;

import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.simulator.SimulatorControl;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pve-simulator with zero latencies: how long a clone + start takes (client-observed, and the
 * simulator's own handling time of the calls), and how many API calls per second it serves.
 * Targets: clone + start under 5 ms of simulator time, at least 2,000 calls/s on 2 cores.
 */
final class SimulatorScenario implements Scenario {

    /** Runs of each measure; {@code --runs N} to try the scenario quickly. */
    private static final int RUNS = 7;
    private static final int PAIRS_PER_RUN = 30;
    private static final Duration LOAD_WINDOW = Duration.ofSeconds(5);
    private static final int CLIENTS = 8;

    @Override
    public String name() {
        return "simulator";
    }

    @Override
    public void run(BenchRun run) throws Exception {
        int runs = run.args().integer("--runs", RUNS);
        SharedSimulator sim = SharedSimulator.get();
        SimulatorControl control = sim.control();
        control.reset();
        control.zeroLatencies();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        // warm-up: JIT, listeners, connection pool
        cloneStart(control, http, sim, 3000, 40);
        control.reset();
        control.zeroLatencies();

        List<Double> wallMs = new ArrayList<>();
        List<Double> simMs = new ArrayList<>();
        int vmid = 1000;
        for (int r = 0; r < runs; r++) {
            control.clearCalls();
            List<Double> wall = cloneStart(control, http, sim, vmid, PAIRS_PER_RUN);
            vmid += PAIRS_PER_RUN;
            wallMs.add(Stats.of(wall).median());
            // the simulator's own handling time of the clone and start calls, per pair
            double handled = control.calls("POST", ".*/(clone|status/start)").stream().mapToDouble(c -> c.durationMs()).sum();
            simMs.add(handled / PAIRS_PER_RUN);
        }

        List<Double> rates = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            rates.add(load(http, sim));
        }

        Stats wall = Stats.of(wallMs);
        Stats simTime = Stats.of(simMs);
        Stats rate = Stats.of(rates);
        new MarkdownReport().title("pve-simulator benchmark")
                .paragraph("""
                        Run: %s, `bench/run simulator`, on %d cores, JDK %s (%s). The simulator runs as a process (the packaged jar,
                        `-Xmx256m -XX:TieredStopAtLevel=1` as `ServiceProcess` starts it) with every latency at 0.""",
                        Instant.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                        run.quiet().describe())
                .table("measure", "median (min, max, runs)", "target")
                .row("clone + start, simulator handling time per pair (ms)", simTime.format("%.2f"), "< 5 ms")
                .row("clone + start, client-observed until both tasks stopped (ms)", wall.format("%.2f"), "—")
                .row("API calls/s, " + CLIENTS + " clients, GET status/current + config + nextid", rate.format("%.0f"), "≥ 2,000")
                .end()
                .paragraph("""
                        Method: each run does %d linked clones of a template followed by a start, each waited for by polling the
                        task status (the median of the run is reported); the simulator's handling time is the sum of the
                        recorded `durationMs` of the clone and start calls (from request to response, measured inside the
                        simulator; the start task's listener binding finishes after its call and is covered by the client-observed time). The load run
                        sends requests from %d virtual-thread clients over keep-alive HTTP/1.1 for %d s.""",
                        PAIRS_PER_RUN, CLIENTS, LOAD_WINDOW.toSeconds())
                .write(name());
    }

    private static List<Double> cloneStart(SimulatorControl control, HttpClient http, SharedSimulator sim, int firstVmid,
                                           int pairs) {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            int vmid = firstVmid + i;
            long t0 = System.nanoTime();
            String clone = control.api("POST", "/nodes/pve1/lxc/9001/clone", Map.of("newid", Integer.toString(vmid))).data().asText();
            await(control, clone);
            String start = control.api("POST", "/nodes/pve1/lxc/" + vmid + "/status/start", Map.of()).data().asText();
            await(control, start);
            times.add((System.nanoTime() - t0) / 1e6);
        }
        return times;
    }

    private static void await(SimulatorControl control, String upid) {
        String exit = control.awaitTask("pve1", upid, Duration.ofSeconds(10));
        if (!exit.equals("OK")) {
            throw new IllegalStateException(upid + " ended with " + exit);
        }
    }

    private static double load(HttpClient http, SharedSimulator sim) throws InterruptedException {
        List<String> paths = List.of("/nodes/pve1/lxc/1000/status/current", "/nodes/pve1/lxc/1001/config", "/cluster/nextid");
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long deadline = System.nanoTime() + LOAD_WINDOW.toNanos();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                pool.submit(() -> {
                    int i = client;
                    while (System.nanoTime() < deadline) {
                        HttpRequest req = HttpRequest.newBuilder(URI.create(sim.apiUrl() + paths.get(i++ % paths.size())))
                                .header("Authorization", "PVEAPIToken=" + sim.token()).build();
                        try {
                            int status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
                            (status == 200 ? ok : failed).incrementAndGet();
                        } catch (IOException e) {
                            failed.incrementAndGet();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                });
            }
            pool.shutdown();
            pool.awaitTermination(LOAD_WINDOW.toSeconds() + 30, TimeUnit.SECONDS);
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " calls failed during the load run");
        }
        return ok.get() / ((System.nanoTime() - t0) / 1e9);
    }
}
