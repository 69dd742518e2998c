package io.sandplane.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.ProjectLayout;
import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.simulator.SimulatorControl;
import io.sandplane.devsupport.test.SharedPostgres;
import io.sandplane.devsupport.topology.Topology;
import io.sandplane.devsupport.topology.Topology.Service;
import io.sandplane.model.catalog.TemplateCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole topology as users run it — embedded PostgreSQL, pve-simulator, provisioner, url-router,
 * reaper and sandbox-api, each its own process from its built jar — measured through the public API.
 *
 * <ol>
 * <li>Start-up and idle memory: each of the five processes is stopped and cold-started
 * {@code --cold-starts} times inside the running topology; start-up is process spawn until its
 * readiness endpoint first answers 200 (polled every 10 ms), idle memory is read
 * {@code --settle-seconds} later: RSS from /proc and heap used from {@code jcmd GC.heap_info}.</li>
 * <li>Start overhead: {@code POST /api/sandboxes} (wait=true) with every simulator latency at
 * zero, from 1 client and from {@code --concurrent} clients, {@code --rounds} rounds each; per
 * start the client-observed time and the provisioner call as sandbox-api reports it in
 * {@code Server-Timing}; p50 and p99 per round.</li>
 * <li>Loaded memory: {@code --rounds} windows of {@code --load-seconds} with starts, reads and
 * deletes from {@code --concurrent} clients, proxy requests to an exposed port and one reaper pass;
 * peak RSS of each process (sampled every 250 ms) and heap used sampled once mid-window.</li>
 * <li>Parallel starts: {@code --parallel} starts at once of a preset with one template copy and of
 * one with four copies, alternating in one run, with clone {@code --clone-ms} and start
 * {@code --start-ms}; makespan against the minimum the per-template clone lock allows:
 * ceil(starts / copies) clones one after another plus one start.</li>
 * </ol>
 * Writes bench/results/topology.md.
 */
final class TopologyScenario implements Scenario {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PROVISIONER_DUR = Pattern.compile("provisioner;dur=([0-9.]+)");
    private static final Pattern API_DUR = Pattern.compile("api;dur=([0-9.]+)");
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    /** The bundled catalog's preset with four template copies. */
    private static final String FOUR_COPIES = "4vcpu_8gb_32gb";
    /** The bundled catalog's second preset, cut down to one copy in the benchmark's catalog. */
    private static final String ONE_COPY = "6vcpu_8gb_40gb";
    private static final List<String> JVM = List.of("-Xmx512m");

    private Args args;
    private Topology topology;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final MarkdownReport md = new MarkdownReport();
    private String key;

    record Args(int coldStarts, int settleSeconds, int rounds, int starts, int concurrent, int concurrentStarts, int warmUp,
            int loadSeconds, int parallel, int parallelRounds, long cloneMs, long startMs) {

        static Args parse(BenchArgs a) {
            return new Args(a.integer("--cold-starts", 5), a.integer("--settle-seconds", 5), a.integer("--rounds", 5),
                    a.integer("--starts", 100), a.integer("--concurrent", 20), a.integer("--concurrent-starts", 200),
                    a.integer("--warm-up", 600), a.integer("--load-seconds", 20), a.integer("--parallel", 50),
                    a.integer("--parallel-rounds", 5), a.integer("--clone-ms", 1000), a.integer("--start-ms", 500));
        }
    }

    @Override
    public String name() {
        return "topology";
    }

    @Override
    public void run(BenchRun run) throws Exception {
        this.args = Args.parse(run.args());
        Path work = Files.createTempDirectory(ProjectLayout.root().resolve("bench/target").toAbsolutePath(), "topology-bench-");
        EmbeddedPostgres pg = SharedPostgres.get();
        String loadBefore = LoadAverage.all();
        Path catalog = benchCatalog(work);
        System.out.println("starting the topology (logs in " + work + ")");
        this.topology = Topology.builder(pg, work.resolve("logs"))
                .jvmOptions(JVM)
                .env("SANDPLANE_TEMPLATE_CATALOG", catalog.toString())
                .env("QUARKUS_LOG_LEVEL", "WARN")
                .listener((service, replica) -> System.out.println("  starting " + service.module()))
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(topology::close, "stop-topology"));
        try {
            measure(loadBefore + "; " + run.quiet().describe());
        } finally {
            topology.close();
        }
    }

    /**
     * The bundled catalog with the second preset cut to its first template copy, so that one run
     * holds a preset with one copy and one with four.
     */
    private static Path benchCatalog(Path work) throws IOException {
        JsonNode catalog;
        try (InputStream in = TemplateCatalog.class.getClassLoader().getResourceAsStream(TemplateCatalog.BUNDLED_RESOURCE)) {
            catalog = JSON.readTree(in);
        }
        boolean found = false;
        for (JsonNode preset : catalog.path("presets")) {
            String id = preset.path("presetId").asText();
            for (JsonNode version : preset.path("versions")) {
                ArrayNode copies = (ArrayNode) version.path("copies");
                if (id.equals(ONE_COPY)) {
                    while (copies.size() > 1) {
                        copies.remove(copies.size() - 1);
                    }
                    found = true;
                } else if (id.equals(FOUR_COPIES) && copies.size() != 4) {
                    throw new IllegalStateException(FOUR_COPIES + " has " + copies.size() + " copies in the bundled catalog, not 4");
                }
            }
        }
        if (!found) {
            throw new IllegalStateException("the bundled catalog has no preset " + ONE_COPY);
        }
        Path file = work.resolve("catalog.json");
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(catalog));
        return file;
    }

    private void measure(String loadBefore) throws Exception {
        key = setUpTeam();
        md.title("Topology benchmark");
        md.text(String.format(Locale.ROOT, "`bench/run topology` — %s, %d cores, Java %s. The whole topology from the built jars, "
                + "each process with `%s` (full JIT): embedded PostgreSQL, pve-simulator, provisioner, url-router, reaper, "
                + "sandbox-api; the benchmark drives it over HTTP through the public API only (and the proxy). "
                + "1-minute load average when it started: %s.%n%n",
                Instant.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                String.join(" ", JVM), loadBefore));
        startUpAndIdle();
        startOverhead();
        loadedMemory();
        parallelStarts();
        md.paragraph("1-minute load average when it ended: %s.", LoadAverage.all());
        md.write(name());
    }

    // ---- 1. start-up time and idle memory -------------------------------------------------------

    private final Map<Service, List<Double>> idleRss = new EnumMap<>(Service.class);
    private final Map<Service, List<Double>> idleHeap = new EnumMap<>(Service.class);

    private void startUpAndIdle() throws Exception {
        String load = LoadAverage.all();
        Map<Service, List<Double>> startUp = new EnumMap<>(Service.class);
        for (int r = 0; r < args.coldStarts(); r++) {
            for (Service service : Service.values()) {
                ServiceProcess p = topology.process(service, 0);
                p.stop();
                double ms = coldStart(p);
                startUp.computeIfAbsent(service, s -> new ArrayList<>()).add(ms);
                Thread.sleep(args.settleSeconds() * 1000L);
                double rss = rssMb(p.pid());
                double heap = heapUsedMb(p.pid());
                idleRss.computeIfAbsent(service, s -> new ArrayList<>()).add(rss);
                idleHeap.computeIfAbsent(service, s -> new ArrayList<>()).add(heap);
                System.out.printf(Locale.ROOT, "cold start %d %-14s ready in %6.0f ms, idle RSS %.0f MB, heap used %.0f MB%n",
                        r + 1, service.module(), ms, rss, heap);
            }
        }
        md.section("Start-up time and idle memory");
        md.text(String.format(Locale.ROOT, "Each process stopped (SIGTERM) and started again inside the running topology, %d times; "
                + "start-up is from spawning the JVM until `/q/health/ready` (on the management port) first answers 200 "
                + "(polled every 10 ms; readiness checks what each service needs, e.g. the database and PVE). Idle memory %d s after ready: RSS (`VmRSS` from /proc) and heap used "
                + "(`jcmd <pid> GC.heap_info`). The pve-simulator is a test tool, not part of a deployment. Load average before: %s.%n%n",
                args.coldStarts(), args.settleSeconds(), load));
        MarkdownReport.Table table = md.table("process", "start-up (ms)", "idle RSS (MB)", "idle heap used (MB)");
        for (Service s : Service.values()) {
            table.row(label(s), Stats.of(startUp.get(s)).format("%.0f"), Stats.of(idleRss.get(s)).format("%.0f"),
                    Stats.of(idleHeap.get(s)).format("%.0f"));
        }
        table.end();
        // A restarted simulator has its configured latencies and an empty cluster again: back to zero for what follows.
        topology.simulator().zeroLatencies();
    }

    private static String label(Service s) {
        return s == Service.PVE_SIMULATOR ? "pve-simulator (test tool)" : s.module();
    }

    /** Milliseconds from spawning the process until its readiness endpoint first answers 200. */
    private double coldStart(ServiceProcess p) throws Exception {
        HttpRequest probe = HttpRequest.newBuilder(URI.create(p.managementUrl() + "/q/health/ready")).timeout(Duration.ofSeconds(2))
                .build();
        AtomicLong readyAt = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        long t0 = System.nanoTime();
        Thread poller = Thread.ofVirtual().start(() -> {
            while (!stop.get()) {
                try {
                    if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        readyAt.set(System.nanoTime());
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            p.start();
            poller.join(Duration.ofSeconds(10));
        } finally {
            stop.set(true);
            poller.interrupt();
        }
        if (readyAt.get() == 0) {
            throw new IllegalStateException(p.module() + " answered ready to ServiceProcess but not to the 10 ms poller");
        }
        return (readyAt.get() - t0) / 1e6;
    }

    // ---- 2. start overhead through the API ----------------------------------------------------

    record Start(double clientMs, double provisionerMs, double apiMs, String id, int vmid) {
        double addedMs() {
            return clientMs - provisionerMs;
        }
    }

    private void startOverhead() throws Exception {
        SimulatorControl sim = topology.simulator();
        sim.reset();
        sim.zeroLatencies();
        String load = LoadAverage.all();
        System.out.printf("warm-up: %d starts from 1 client, %d from %d clients%n", args.warmUp(), args.warmUp(), args.concurrent());
        concurrentStarts(1, args.warmUp());
        concurrentStarts(args.concurrent(), args.warmUp());
        Map<Integer, List<Map<String, Double>>> perRound = new LinkedHashMap<>();
        for (int clients : List.of(1, args.concurrent())) {
            perRound.put(clients, new ArrayList<>());
        }
        for (int r = 0; r < args.rounds(); r++) {
            for (int clients : perRound.keySet()) {
                sim.clearCalls();
                List<Start> starts = concurrentStarts(clients, clients == 1 ? args.starts() : args.concurrentStarts());
                Map<String, Double> round = new LinkedHashMap<>();
                List<Double> total = starts.stream().map(Start::clientMs).toList();
                List<Double> prov = starts.stream().map(Start::provisionerMs).toList();
                List<Double> added = starts.stream().map(Start::addedMs).toList();
                round.put("total p50", Stats.percentile(total, 50));
                round.put("total p99", Stats.percentile(total, 99));
                round.put("provisioner p50", Stats.percentile(prov, 50));
                round.put("provisioner p99", Stats.percentile(prov, 99));
                round.put("added p50", Stats.percentile(added, 50));
                round.put("added p99", Stats.percentile(added, 99));
                perRound.get(clients).add(round);
                System.out.printf(Locale.ROOT, "starts round %d, %2d clients: total p50 %.1f p99 %.1f ms; provisioner call p50 %.1f p99 %.1f;"
                        + " API added p50 %.1f p99 %.1f%n", r + 1, clients, round.get("total p50"), round.get("total p99"),
                        round.get("provisioner p50"), round.get("provisioner p99"), round.get("added p50"), round.get("added p99"));
            }
        }
        md.section("Start overhead through the public API (simulator latencies zero)");
        md.text(String.format(Locale.ROOT, "`POST /api/sandboxes` `{\"preset\":\"%s\"}` with `wait=true` (201 once RUNNING), timed by the "
                + "client; each client deletes its sandbox (untimed) before its next start. *Provisioner call* is what sandbox-api "
                + "reports in `Server-Timing: provisioner;dur`; *API added* is the client-observed time minus that call (HTTP, "
                + "authentication, validation, admission transaction, answer). After %d warm-up starts from 1 client and %d from "
                + "%d clients, %d rounds; 1 client: %d sequential starts per round; %d clients: %d starts per round. p50 and p99 per "
                + "round; the table gives the median of rounds with min and max. Load average before: %s, after: %s.%n%n",
                FOUR_COPIES, args.warmUp(), args.warmUp(), args.concurrent(), args.rounds(), args.starts(), args.concurrent(),
                args.concurrentStarts(), load, LoadAverage.all()));
        MarkdownReport.Table table = md.table("clients", "measure", "ms");
        for (Map.Entry<Integer, List<Map<String, Double>>> e : perRound.entrySet()) {
            for (String measure : List.of("total p50", "total p99", "provisioner p50", "provisioner p99", "added p50", "added p99")) {
                Stats st = Stats.of(e.getValue().stream().map(m -> m.get(measure)).toList());
                String name = switch (measure.substring(0, measure.indexOf(' '))) {
                    case "total" -> "start, client-observed";
                    case "provisioner" -> "provisioner call";
                    default -> "API added";
                } + " " + measure.substring(measure.indexOf(' ') + 1);
                table.row(e.getKey(), name, st.format("%.1f"));
            }
        }
        table.end();
    }

    /** {@code total} starts (each deleted after) spread over {@code clients} concurrent clients. */
    private List<Start> concurrentStarts(int clients, int total) throws Exception {
        List<Start> all = Collections.synchronizedList(new ArrayList<>());
        AtomicLong remaining = new AtomicLong(total);
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    while (remaining.getAndDecrement() > 0) {
                        Start s = start(FOUR_COPIES);
                        all.add(s);
                        delete(s.id());
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        return all;
    }

    private Start start(String preset) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(topology.apiUrl() + "/api/sandboxes"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"preset\":\"" + preset + "\"}")).build();
        long t0 = System.nanoTime();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        double ms = (System.nanoTime() - t0) / 1e6;
        if (response.statusCode() != 201) {
            throw new IllegalStateException("start answered " + response.statusCode() + ": " + response.body());
        }
        String timing = response.headers().firstValue("Server-Timing").orElse("");
        Matcher p = PROVISIONER_DUR.matcher(timing);
        Matcher a = API_DUR.matcher(timing);
        if (!p.find() || !a.find()) {
            throw new IllegalStateException("no Server-Timing provisioner/api on a start: " + timing);
        }
        JsonNode body = JSON.readTree(response.body());
        if (!"RUNNING".equals(body.path("status").asText())) {
            throw new IllegalStateException("a 201 start is not RUNNING: " + response.body());
        }
        return new Start(ms, Double.parseDouble(p.group(1)), Double.parseDouble(a.group(1)), body.path("id").asText(),
                body.path("vmid").asInt());
    }

    private void delete(String id) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(topology.apiUrl() + "/api/sandboxes/" + id))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofMinutes(2)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("delete of " + id + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    // ---- 3. loaded memory ------------------------------------------------------------------

    private void loadedMemory() throws Exception {
        String load = LoadAverage.all();
        Start exposed = start(FOUR_COPIES);
        String proxyHost = expose(exposed.id());
        HttpRequest proxied = HttpRequest.newBuilder(URI.create(topology.proxyUrl() + "/")).header("Host", proxyHost)
                .timeout(Duration.ofSeconds(10)).build();
        int status = http.send(proxied, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status != 200) {
            throw new IllegalStateException("the proxy answered " + status + " for " + proxyHost);
        }
        Map<Service, List<Double>> peakRss = new EnumMap<>(Service.class);
        Map<Service, List<Double>> heap = new EnumMap<>(Service.class);
        List<Double> workDone = new ArrayList<>();
        for (int r = 0; r < args.rounds(); r++) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong operations = new AtomicLong();
            Map<Service, Double> peaks = new EnumMap<>(Service.class);
            try (ExecutorService pool = Executors.newCachedThreadPool()) {
                List<Future<?>> futures = new ArrayList<>();
                for (int c = 0; c < args.concurrent(); c++) {
                    futures.add(pool.submit(() -> {
                        while (!stop.get()) {
                            Start s = start(FOUR_COPIES);
                            for (int i = 0; i < 5; i++) {
                                read(s.id());
                            }
                            delete(s.id());
                            operations.addAndGet(7);
                        }
                        return null;
                    }));
                }
                for (int c = 0; c < 4; c++) {
                    futures.add(pool.submit(() -> {
                        while (!stop.get()) {
                            int code = http.send(proxied, HttpResponse.BodyHandlers.discarding()).statusCode();
                            if (code != 200) {
                                throw new IllegalStateException("proxy answered " + code);
                            }
                            operations.incrementAndGet();
                        }
                        return null;
                    }));
                }
                try {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(args.loadSeconds());
                    long heapAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(args.loadSeconds()) * 6 / 10;
                    boolean passDone = false;
                    boolean heapDone = false;
                    while (System.nanoTime() < end) {
                        for (Service s : Service.values()) {
                            peaks.merge(s, rssMb(topology.process(s, 0).pid()), Math::max);
                        }
                        if (!passDone && System.nanoTime() > end - TimeUnit.SECONDS.toNanos(args.loadSeconds()) / 2) {
                            futures.add(pool.submit(this::reaperPass));
                            passDone = true;
                        }
                        if (!heapDone && System.nanoTime() > heapAt) {
                            for (Service s : Service.values()) {
                                heap.computeIfAbsent(s, k -> new ArrayList<>()).add(heapUsedMb(topology.process(s, 0).pid()));
                            }
                            heapDone = true;
                        }
                        for (Future<?> f : futures) {
                            if (f.isDone()) {
                                f.get(); // a failed client fails the benchmark
                            }
                        }
                        Thread.sleep(250);
                    }
                } finally {
                    stop.set(true);
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            }
            peaks.forEach((s, v) -> peakRss.computeIfAbsent(s, k -> new ArrayList<>()).add(v));
            workDone.add(operations.get() / (double) args.loadSeconds());
            System.out.printf(Locale.ROOT, "load round %d: %.0f operations/s; peak RSS %s%n", r + 1, workDone.getLast(), peaks);
        }
        delete(exposed.id());
        md.section("Memory under load");
        md.text(String.format(Locale.ROOT, "%d windows of %d s: %d clients each start a sandbox (wait=true), read it 5 times "
                + "and delete it, in a loop; 4 clients send requests through the url-router's proxy to a public port of a running "
                + "sandbox; one reaper pass (`POST /internal/reaper/passes`) per window. Peak RSS sampled every 250 ms; heap used "
                + "sampled once, 60%% into each window. The simulator's guests really answer on loopback. Work done: %s "
                + "operations/s (API calls and proxied requests). Load average before: %s, after: %s.%n%n",
                args.rounds(), args.loadSeconds(), args.concurrent(), Stats.of(workDone).format("%.0f"), load, LoadAverage.all()));
        MarkdownReport.Table table = md.table("process", "idle RSS (MB)", "peak RSS under load (MB)", "idle heap used (MB)",
                "heap used under load (MB)");
        for (Service s : Service.values()) {
            table.row(label(s), Stats.of(idleRss.get(s)).format("%.0f"), Stats.of(peakRss.get(s)).format("%.0f"),
                    Stats.of(idleHeap.get(s)).format("%.0f"), Stats.of(heap.get(s)).format("%.0f"));
        }
        table.end();
    }

    private Void reaperPass() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(topology.process(Service.REAPER, 0).url()
                + "/internal/reaper/passes")).header("X-Sandplane-Internal-Token", topology.internalToken())
                .timeout(Duration.ofMinutes(2)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        // 409: a scheduled pass is running right now, which loads the reaper just as well.
        if (r.statusCode() != 200 && r.statusCode() != 409) {
            throw new IllegalStateException("reaper pass answered " + r.statusCode() + ": " + r.body());
        }
        return null;
    }

    private void read(String id) throws IOException, InterruptedException {
        int code = http.send(HttpRequest.newBuilder(URI.create(topology.apiUrl() + "/api/sandboxes/" + id))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        if (code != 200) {
            throw new IllegalStateException("GET sandbox answered " + code);
        }
    }

    /** Exposes the preview port (5173, the simulator's guests echo on it) publicly; the Host to send to the proxy. */
    private String expose(String id) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(topology.apiUrl() + "/api/sandboxes/" + id + "/services"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"port\":5173,\"name\":\"preview\",\"authMode\":\"public\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("expose answered " + r.statusCode() + ": " + r.body());
        }
        return URI.create(JSON.readTree(r.body()).path("url").asText()).getRawAuthority();
    }

    // ---- 4. parallel starts against the clone lock ------------------------------------------

    private void parallelStarts() throws Exception {
        SimulatorControl sim = topology.simulator();
        sim.reset();
        sim.zeroLatencies();
        sim.setLatencies(Map.of("clone", args.cloneMs(), "start", args.startMs()));
        String load = LoadAverage.all();
        Map<Integer, String> presets = new LinkedHashMap<>();
        presets.put(1, ONE_COPY);
        presets.put(4, FOUR_COPIES);
        Map<Integer, List<Double>> makespans = new LinkedHashMap<>();
        Map<Integer, List<Double>> ratios = new LinkedHashMap<>();
        for (int r = 0; r < args.parallelRounds(); r++) {
            List<Integer> order = new ArrayList<>(presets.keySet());
            if (r % 2 == 1) {
                Collections.reverse(order); // alternate which goes first
            }
            for (int copies : order) {
                sim.clearCalls();
                double minimum = minimumMs(copies);
                double makespan = parallelRound(presets.get(copies));
                makespans.computeIfAbsent(copies, k -> new ArrayList<>()).add(makespan);
                ratios.computeIfAbsent(copies, k -> new ArrayList<>()).add(makespan / minimum);
                System.out.printf(Locale.ROOT, "parallel round %d: %d starts on %d cop%s in %.0f ms, %.3fx the minimum %.0f ms%n", r + 1,
                        args.parallel(), copies, copies == 1 ? "y" : "ies", makespan, makespan / minimum, minimum);
            }
        }
        sim.zeroLatencies();
        md.section(String.format(Locale.ROOT, "%d parallel starts: 1 vs 4 template copies (clone %d ms, start %d ms)",
                args.parallel(), args.cloneMs(), args.startMs()));
        md.text(String.format(Locale.ROOT, "%d clients send `POST /api/sandboxes` (wait=true) at once; the makespan runs until "
                + "the last is RUNNING. PVE clones one template one at a time, so the minimum is ceil(%d / copies) clones one "
                + "after another plus one start. The two presets alternate in one run (%d rounds each; the 1-copy preset is the "
                + "bundled second preset cut to one copy). Load average before: %s, after: %s.%n%n",
                args.parallel(), args.parallel(), args.parallelRounds(), load, LoadAverage.all()));
        MarkdownReport.Table table = md.table("template copies", "minimum (ms)", "makespan (ms)", "makespan / minimum");
        for (int copies : presets.keySet()) {
            table.row(copies, String.format(Locale.ROOT, "%.0f", minimumMs(copies)), Stats.of(makespans.get(copies)).format("%.0f"),
                    Stats.of(ratios.get(copies)).format("%.3f"));
        }
        table.end();
    }

    private double minimumMs(int copies) {
        return Math.ceil((double) args.parallel() / copies) * args.cloneMs() + args.startMs();
    }

    private double parallelRound(String preset) throws Exception {
        List<Start> started = Collections.synchronizedList(new ArrayList<>());
        double makespan;
        try (ExecutorService pool = Executors.newFixedThreadPool(args.parallel())) {
            List<Future<?>> futures = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < args.parallel(); i++) {
                futures.add(pool.submit(() -> started.add(start(preset))));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            makespan = (System.nanoTime() - t0) / 1e6;
        }
        for (Start s : started) {
            delete(s.id());
        }
        return makespan;
    }

    // ---- set-up and helpers -----------------------------------------------------------------

    private String setUpTeam() throws IOException, InterruptedException {
        admin("/api/admin/teams", "{\"slug\":\"topology-bench\",\"name\":\"Topology bench\","
                + "\"quotas\":{\"maxLiveSandboxes\":100000,\"startsPerHour\":100000}}");
        JsonNode key = JSON.readTree(admin("/api/admin/teams/topology-bench/keys", "{\"name\":\"bench\"}"));
        return key.path("key").asText();
    }

    private String admin(String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(topology.apiUrl() + path))
                .header("Authorization", "Bearer " + topology.operatorToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** Resident set size in MB, from /proc/[pid]/status. */
    static double rssMb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    /** Java heap in use (live and not yet collected) in MB, as {@code jcmd GC.heap_info} reports it. */
    static double heapUsedMb(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + pid + " GC.heap_info failed: " + out);
        }
        Matcher m = HEAP_USED.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no heap used in: " + out);
        }
        return Long.parseLong(m.group(1)) / 1024.0;
    }

}
