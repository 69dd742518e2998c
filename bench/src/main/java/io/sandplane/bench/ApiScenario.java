package io.sandplane.bench;

import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.lifecycle.TtlAction;
import io.sandplane.model.service.AuthMode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.UUID;
import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.ProjectLayout;
import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.provisioner.SharedProvisioner;
import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.simulator.SimulatorControl;
import io.sandplane.devsupport.test.SharedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * sandbox-api throughput and the API's share of a start.
 *
 * <ol>
 * <li>{@code GET /api/sandboxes/{id}} with a team key, from {@code --clients} concurrent clients
 * for {@code --seconds} per run: requests per second (target ≥ 3,000 on 2 cores).</li>
 * <li>The API's part of {@code wait=false} starts, as it reports it in {@code Server-Timing}.</li>
 * <li>Waiting starts through the real provisioner (over the pve-simulator): the API's added time beyond
 * the provisioner call as the client sees it (its round trip minus {@code provisioner;dur}, target p50
 * ≤ 5 ms), with sandbox-api's own account ({@code api;dur}) beside it, on a process warmed up with
 * {@code --warmup-starts} real starts, in {@code --runs} runs of {@code --waiting-starts}.</li>
 * </ol>
 * {@code --only reads|waiting} runs one part; {@code --jfr} records flight recordings of sandbox-api.
 * Runs sandbox-api as a process (as deployed) over an embedded PostgreSQL; writes bench/results/api.md.
 */
final class ApiScenario implements Scenario {

    private static final String OPERATOR = "bench-operator-token-0123456789";
    private static final Pattern API_DUR = Pattern.compile("api;dur=([0-9.]+)");
    private static final String WAITING_HEADING = "Waiting starts through the real provisioner (`wait=true`, pve-simulator)";

    @Override
    public String name() {
        return "api";
    }

    @Override
    public void run(BenchRun run) throws Exception {
        BenchArgs args = run.args();
        int runs = args.integer("--runs", 5);
        int seconds = args.integer("--seconds", 10);
        int clients = args.integer("--clients", 16);
        int starts = args.integer("--starts", 300);
        Path work = Files.createTempDirectory(ProjectLayout.root().resolve("bench/target").toAbsolutePath(), "api-bench-");
        int waitingStarts = args.integer("--waiting-starts", 20);
        int warmupStarts = args.integer("--warmup-starts", 600);
        String only = args.string("--only", "all");
        String loadBefore = LoadAverage.all();
        EmbeddedPostgres pg = SharedPostgres.get();
        if (!only.equals("waiting")) {
            reads(pg, args, work, runs, seconds, clients, starts, run.quiet().describe(), loadBefore);
        }
        if (!only.equals("reads")) {
            waitingStarts(args, work, runs, waitingStarts, warmupStarts);
        }
    }

    /** Phase 1 (reads, admission): no provisioner, so background starts end at once and load nothing else. */
    private void reads(EmbeddedPostgres pg, BenchArgs args, Path work, int runs, int seconds, int clients, int starts,
            String quiet, String loadBefore) throws Exception {
        try (ServiceProcess api = api(pg, "http://127.0.0.1:9", jvmOptions(args, work, "sandbox-api"), work.resolve("sandbox-api.log"));
                BenchDatabase db = BenchDatabase.open(pg)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            String key = setUpTeam(http, api.url());
            String teamId = teamId(http, api.url());
            String sandboxId = insertRunningSandbox(db, UUID.fromString(teamId));
            URI get = URI.create(api.url() + "/api/sandboxes/" + sandboxId);
            HttpRequest getRequest = HttpRequest.newBuilder(get).header("Authorization", "Bearer " + key).GET().build();

            // Warm-up: JIT, connection pools (long: the JIT shares the cores with everything else).
            throughput(http, getRequest, clients, Duration.ofSeconds(Math.max(5, seconds)));
            throughput(http, getRequest, clients, Duration.ofSeconds(Math.max(5, seconds)));
            List<Double> rates = new ArrayList<>();
            List<Double> cpuPerRequest = new ArrayList<>();
            List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
            long postmaster = db.postmasterPid();
            for (int r = 0; r < runs; r++) {
                long cpuBefore = CpuTime.ofTree(api.pid()) + CpuTime.ofTree(postmaster);
                Result result = throughput(http, getRequest, clients, Duration.ofSeconds(seconds));
                long cpuMs = CpuTime.ofTree(api.pid()) + CpuTime.ofTree(postmaster) - cpuBefore;
                rates.add(result.perSecond());
                cpuPerRequest.add((double) cpuMs / result.count());
                latencies.addAll(result.latenciesMs());
                System.out.printf(Locale.ROOT, "GET run %d: %.0f req/s, %.3f ms CPU (API + PostgreSQL) per request%n",
                        r + 1, result.perSecond(), (double) cpuMs / result.count());
            }

            // Starts: sequential, one client, so each measures the API alone.
            URI post = URI.create(api.url() + "/api/sandboxes");
            List<Double> apiMs = new ArrayList<>();
            List<Double> clientMs = new ArrayList<>();
            long startCpuBefore = 0;
            long startApiCpuBefore = 0;
            for (int i = 0; i < starts + 200; i++) {
                HttpRequest start = HttpRequest.newBuilder(post).header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"preset\":\"4vcpu_8gb_32gb\",\"wait\":false,\"metadata\":{\"run\":\"" + i + "\"}}"))
                        .build();
                if (i == 200) {
                    startApiCpuBefore = CpuTime.ofTree(api.pid());
                    startCpuBefore = startApiCpuBefore + CpuTime.ofTree(postmaster);
                }
                long began = System.nanoTime();
                HttpResponse<String> response = http.send(start, HttpResponse.BodyHandlers.ofString());
                double elapsed = (System.nanoTime() - began) / 1e6;
                if (response.statusCode() != 202) {
                    throw new IllegalStateException("start answered " + response.statusCode() + ": " + response.body());
                }
                if (i >= 200) { // the first 200 warm up
                    Matcher m = API_DUR.matcher(response.headers().firstValue("Server-Timing").orElse(""));
                    if (!m.find()) {
                        throw new IllegalStateException("no Server-Timing on a start");
                    }
                    apiMs.add(Double.parseDouble(m.group(1)));
                    clientMs.add(elapsed);
                }
            }
            double startCpuMs = (double) (CpuTime.ofTree(api.pid()) + CpuTime.ofTree(postmaster) - startCpuBefore) / starts;
            double startApiCpuMs = (double) (CpuTime.ofTree(api.pid()) - startApiCpuBefore) / starts;
            System.out.printf(Locale.ROOT, "CPU per start: %.2f ms (sandbox-api %.2f ms, PostgreSQL %.2f ms)%n",
                    startCpuMs, startApiCpuMs, startCpuMs - startApiCpuMs);
            write(runs, seconds, clients, rates, cpuPerRequest, latencies, apiMs, clientMs, startCpuMs, quiet, loadBefore,
                    LoadAverage.all());
        }
    }

    /**
     * Phase 2: waiting starts through the real provisioner (over the pve-simulator), one at a time. The
     * process is warmed up first with {@code warmupStarts} real waiting starts while the simulator answers
     * without latencies (so the whole start path, admission, the provisioner call and the final read, is
     * compiled), then measured in {@code runs} runs with the simulator's realistic latencies.
     */
    private void waitingStarts(BenchArgs args, Path work, int runs, int perRun, int warmupStarts) throws Exception {
        EmbeddedPostgres pg = SharedPostgres.get();
        SharedProvisioner provisioner = SharedProvisioner.get();
        SimulatorControl sim = SharedSimulator.get().control();
        try (ServiceProcess api = api(pg, provisioner.url(), jvmOptions(args, work, "sandbox-api-2"), work.resolve("sandbox-api-2.log"))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            String key = teamKey(http, api.url());
            URI post = URI.create(api.url() + "/api/sandboxes");
            Map<String, Long> latencies = sim.latencies();
            sim.zeroLatencies();
            long warmBegan = System.nanoTime();
            for (int i = 0; i < warmupStarts; i++) {
                waitingStart(http, api.url(), post, key);
            }
            double warmSeconds = (System.nanoTime() - warmBegan) / 1e9;
            System.out.printf(Locale.ROOT, "warm-up: %d waiting starts in %.1f s%n", warmupStarts, warmSeconds);
            sim.setLatencies(latencies);
            String loadBefore = LoadAverage.all();
            List<Double> runApi = new ArrayList<>();
            List<Double> runAdded = new ArrayList<>();
            List<Double> runAdmission = new ArrayList<>();
            List<Double> runOutside = new ArrayList<>();
            List<Double> apiMs = new ArrayList<>();
            List<Double> addedMs = new ArrayList<>();
            List<Double> provisionerMs = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                List<Double> ownMs = new ArrayList<>();
                List<Double> beyondMs = new ArrayList<>();
                List<Double> admissionMs = new ArrayList<>();
                List<Double> outsideMs = new ArrayList<>();
                for (int i = 0; i < perRun; i++) {
                    StartTiming t = waitingStart(http, api.url(), post, key);
                    ownMs.add(t.apiMs());
                    beyondMs.add(t.clientMs() - t.provisionerMs());
                    admissionMs.add(t.admissionMs());
                    outsideMs.add(t.clientMs() - t.provisionerMs() - t.apiMs());
                    provisionerMs.add(t.provisionerMs());
                }
                apiMs.addAll(ownMs);
                addedMs.addAll(beyondMs);
                runApi.add(Stats.of(ownMs).median());
                runAdded.add(Stats.of(beyondMs).median());
                runAdmission.add(Stats.of(admissionMs).median());
                runOutside.add(Stats.of(outsideMs).median());
                System.out.printf(Locale.ROOT, "waiting-start run %d: api;dur p50 %.2f ms (admission %.2f), client minus provisioner p50 %.2f ms%n",
                        r + 1, Stats.of(ownMs).median(), Stats.of(admissionMs).median(), Stats.of(beyondMs).median());
            }
            appendWaiting(warmupStarts, warmSeconds, perRun, runApi, runAdded, runAdmission, runOutside, apiMs, addedMs, provisionerMs,
                    loadBefore, LoadAverage.all());
        }
    }

    record StartTiming(double clientMs, double provisionerMs, double admissionMs, double apiMs) {
    }

    private static final Pattern PROVISIONER_DUR = Pattern.compile("provisioner;dur=([0-9.]+)");
    private static final Pattern ADMISSION_DUR = Pattern.compile("admission;dur=([0-9.]+)");
    private static final Pattern SANDBOX_ID = Pattern.compile("\"id\":\"(sbx_[a-z2-7]+)\"");

    /** One waiting start (201, RUNNING), then its delete (not timed). */
    private static StartTiming waitingStart(HttpClient http, String base, URI post, String key)
            throws IOException, InterruptedException {
        HttpRequest start = HttpRequest.newBuilder(post).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"preset\":\"4vcpu_8gb_32gb\"}")).build();
        long began = System.nanoTime();
        HttpResponse<String> response = http.send(start, HttpResponse.BodyHandlers.ofString());
        double elapsed = (System.nanoTime() - began) / 1e6;
        if (response.statusCode() != 201) {
            throw new IllegalStateException("waiting start answered " + response.statusCode() + ": " + response.body());
        }
        String timing = response.headers().firstValue("Server-Timing").orElse("");
        Matcher p = PROVISIONER_DUR.matcher(timing);
        Matcher a = API_DUR.matcher(timing);
        Matcher adm = ADMISSION_DUR.matcher(timing);
        Matcher id = SANDBOX_ID.matcher(response.body());
        if (!p.find() || !a.find() || !adm.find() || !id.find()) {
            throw new IllegalStateException("no Server-Timing or id on a start: " + timing + " " + response.body());
        }
        HttpResponse<Void> deleted = http.send(HttpRequest.newBuilder(URI.create(base + "/api/sandboxes/" + id.group(1)))
                .header("Authorization", "Bearer " + key).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        if (deleted.statusCode() != 200) {
            throw new IllegalStateException("delete answered " + deleted.statusCode());
        }
        return new StartTiming(elapsed, Double.parseDouble(p.group(1)), Double.parseDouble(adm.group(1)),
                Double.parseDouble(a.group(1)));
    }

    record Result(double perSecond, long count, List<Double> latenciesMs) {
    }

    private static ServiceProcess api(EmbeddedPostgres pg, String provisionerUrl, List<String> jvmOptions, Path log) {
        return ServiceProcess.of("sandbox-api")
                .env(Map.of("QUARKUS_DATASOURCE_JDBC_URL", pg.jdbcUrl(),
                        "QUARKUS_DATASOURCE_USERNAME", EmbeddedPostgres.USER,
                        "QUARKUS_DATASOURCE_PASSWORD", "unused",
                        "SANDPLANE_INTERNAL_TOKEN", SharedProvisioner.INTERNAL_TOKEN,
                        "SANDPLANE_OPERATOR_TOKEN", OPERATOR,
                        "SANDPLANE_PROVISIONER_URL", provisionerUrl,
                        "SANDPLANE_URL_ROUTER_URL", "http://127.0.0.1:9",
                        "QUARKUS_LOG_LEVEL", "WARN"))
                .jvmOptions(jvmOptions)
                .logFile(log)
                .start();
    }

    /** A key of the bench team (created by phase 1, or here when phase 1 did not run). */
    private static String teamKey(HttpClient http, String base) throws IOException, InterruptedException {
        HttpResponse<String> team = http.send(HttpRequest.newBuilder(URI.create(base + "/api/admin/teams/bench"))
                .header("Authorization", "Bearer " + OPERATOR).build(), HttpResponse.BodyHandlers.ofString());
        if (team.statusCode() == 404) {
            return setUpTeam(http, base);
        }
        String body = post(http, base + "/api/admin/teams/bench/keys", "{\"name\":\"bench-2\"}");
        Matcher m = Pattern.compile("\"key\":\"([^\"]+)\"").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no key in " + body);
        }
        return m.group(1);
    }

    private static Result throughput(HttpClient http, HttpRequest request, int clients, Duration duration) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> futures = new ArrayList<>();
        long began = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                List<Double> mine = new ArrayList<>();
                while (!stop.get()) {
                    long t = System.nanoTime();
                    HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("GET answered " + response.statusCode());
                    }
                    mine.add((System.nanoTime() - t) / 1e6);
                    done.incrementAndGet();
                }
                latencies.addAll(mine);
                return null;
            }));
        }
        Thread.sleep(duration.toMillis());
        stop.set(true);
        for (Future<?> f : futures) {
            f.get();
        }
        double elapsed = (System.nanoTime() - began) / 1e9;
        pool.shutdown();
        return new Result(done.get() / elapsed, done.get(), latencies);
    }

    private static String setUpTeam(HttpClient http, String base) throws IOException, InterruptedException {
        post(http, base + "/api/admin/teams",
                "{\"slug\":\"bench\",\"name\":\"Bench\",\"quotas\":{\"maxLiveSandboxes\":100000,\"startsPerHour\":100000}}");
        String body = post(http, base + "/api/admin/teams/bench/keys", "{\"name\":\"bench\"}");
        Matcher m = Pattern.compile("\"key\":\"([^\"]+)\"").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no key in " + body);
        }
        return m.group(1);
    }

    private static String teamId(HttpClient http, String base) throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(URI.create(base + "/api/admin/teams/bench"))
                .header("Authorization", "Bearer " + OPERATOR).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no team id in " + body);
        }
        return m.group(1);
    }

    private static String post(HttpClient http, String url, String json) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + OPERATOR)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** A RUNNING sandbox with its four default services, as the provisioner and url-router leave it. */
    private static String insertRunningSandbox(BenchDatabase db, UUID teamId) {
        Sandbox s = BenchDatabase.running(BenchDatabase.sandbox(teamId), 4242, "pve1");
        s.id = "sbx_benchbenchbenchbench";
        s.ttlAction = TtlAction.PAUSE;
        s.expiresAt = Instant.now().plusSeconds(3600);
        s.metadata = new HashMap<>(Map.of("repo", "acme/app"));
        List<Object> rows = new ArrayList<>(List.of(s));
        Map<String, Integer> services = new LinkedHashMap<>();
        services.put("vscode", 39378);
        services.put("worker", 39377);
        services.put("vnc", 39380);
        services.put("xterm", 39383);
        services.forEach((name, port) -> rows.add(BenchDatabase.service(s.id, name, port, AuthMode.TOKEN,
                "https://port-" + port + "-vm-4242.sandboxes.example.com")));
        db.insert(rows);
        return s.id;
    }

    private void write(int runs, int seconds, int clients, List<Double> rates, List<Double> cpuPerRequest,
            List<Double> latencies, List<Double> apiMs, List<Double> clientMs, double startCpuMs, String quiet,
            String loadBefore, String loadAfter) throws IOException {
        Stats rate = Stats.of(rates);
        Stats cpu = Stats.of(cpuPerRequest);
        int cores = Runtime.getRuntime().availableProcessors();
        Stats api = Stats.of(apiMs);
        Stats client = Stats.of(clientMs);
        new MarkdownReport().title("sandbox-api benchmark")
                .paragraph("""
                        Machine: %d cores, %s. sandbox-api as a process (`-Xmx512m`), embedded PostgreSQL, load generator
                        (java.net.http, HTTP/1.1 keep-alive) on the same machine. Run with `bench/run api`.
                        Quiet machine: %s. Load average (1/5/15 min) at the start: %s, after phase 1: %s.""",
                        cores, System.getProperty("os.name") + " " + System.getProperty("os.arch"), quiet, loadBefore, loadAfter)
                .section("GET /api/sandboxes/{id} (team key, a RUNNING sandbox with four services)")
                .paragraph("%d clients, %d runs of %d s after a warm-up run.", clients, runs, seconds)
                .table("measure", "value", "target")
                .row("requests/s, median of runs (measured, on a shared machine)", rate.format("%.0f"), "≥ 3,000")
                .row("CPU per request, sandbox-api + PostgreSQL (ms)", cpu.format("%.3f"), "")
                .row("capacity of " + cores + " cores from that CPU cost (req/s)", String.format(Locale.ROOT, "%.0f", cores * 1000 / cpu.median()),
                        "≥ 3,000")
                .row("latency p50 / p99 (ms, all runs)", String.format(Locale.ROOT, "%.2f / %.2f", Stats.percentile(latencies, 50),
                        Stats.percentile(latencies, 99)), "")
                .end()
                .paragraph("""
                        The CPU cost per request is read from /proc (user + system time of the sandbox-api process
                        and of every PostgreSQL process) and does not depend on what else runs on the machine;
                        the load generator's own CPU is not counted, as it would not run on the API's machine.""")
                .section(String.format(Locale.ROOT,
                        "The API's part of a start (`POST /api/sandboxes`, wait=false, one client, %d starts after 200 warm-up)", apiMs.size()))
                .paragraph("""
                        `api;dur` is what sandbox-api reports in `Server-Timing`: from the request's arrival at the
                        HTTP server until the answer is built (authentication, reading and checking the body, template
                        resolution, admission: one database call that locks the team row, checks idempotency, live
                        quota and hourly rate, inserts the row and its event and commits). The client's round trip adds
                        serialising and sending the answer, HTTP and the client itself. A waiting start adds the
                        provisioner call and one read of its result.""")
                .table("measure", "median (ms)", "min", "max", "p99", "target")
                .row("client-observed 202 round trip", ms(client.median()), ms(client.min()), ms(client.max()),
                        ms(Stats.percentile(clientMs, 99)), "p50 ≤ 5 ms")
                .row("of which sandbox-api's own account (`Server-Timing api;dur`)", ms(api.median()), ms(api.min()), ms(api.max()),
                        ms(Stats.percentile(apiMs, 99)), "")
                .end()
                .paragraph("CPU per start, sandbox-api + PostgreSQL: %.2f ms.", startCpuMs)
                .write(name());
    }

    private static String ms(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** {@code --jfr}: also record a flight recording of sandbox-api (for profiling) into the work directory. */
    private static List<String> jvmOptions(BenchArgs args, Path work, String name) {
        List<String> options = new ArrayList<>(List.of("-Xmx512m"));
        if (args.has("--jfr")) {
            Path jfr = work.resolve(name + ".jfr");
            options.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile");
            System.out.println("flight recording: " + jfr);
        }
        return options;
    }

    /** The waiting-start section: replaces the one a previous run wrote, keeps what phase 1 wrote (or left). */
    private void appendWaiting(int warmupStarts, double warmSeconds, int perRun, List<Double> runApi, List<Double> runAdded,
            List<Double> runAdmission, List<Double> runOutside, List<Double> apiMs, List<Double> addedMs,
            List<Double> provisionerMs, String loadBefore, String loadAfter) throws IOException {
        Stats api = Stats.of(runApi);
        Stats added = Stats.of(runAdded);
        Stats admission = Stats.of(runAdmission);
        Stats outside = Stats.of(runOutside);
        Stats prov = Stats.of(provisionerMs);
        MarkdownReport section = new MarkdownReport().section(WAITING_HEADING)
                .paragraph("""
                        A separate sandbox-api process, warmed up with %d real waiting starts (simulator latencies at zero,
                        so the whole start path is compiled; they took %.1f s, a gauge of how fast the machine was), then
                        %d runs of %d starts with the simulator's realistic latencies, one at a time, each deleted after its
                        answer. Load average (1/5/15 min) before the runs: %s, after: %s.""",
                        warmupStarts, warmSeconds, runApi.size(), perRun, loadBefore, loadAfter)
                .paragraph("""
                        Per run the median of its starts; the table shows the median of those run medians with their min
                        and max (n = runs), and the p99 over all %d starts. The target is read as the client sees it: its
                        round trip minus the provisioner call (which sandbox-api times and reports as `provisioner;dur`).""",
                        apiMs.size())
                .table("measure", "median of runs (ms)", "min", "max", "p99, all starts", "target")
                .row("client-observed total minus the provisioner call", ms(added.median()), ms(added.min()), ms(added.max()),
                        ms(Stats.percentile(addedMs, 99)), "p50 ≤ 5 ms")
                .row("of which sandbox-api's own account (`Server-Timing api;dur`: from the request's arrival at the HTTP server "
                        + "until the answer is built, minus the provisioner call)", ms(api.median()), ms(api.min()), ms(api.max()),
                        ms(Stats.percentile(apiMs, 99)), "")
                .row("of which admission (`admission;dur`: quota, rate, idempotency, insert, commit: one database call)",
                        ms(admission.median()), ms(admission.min()), ms(admission.max()), "", "")
                .row("outside the server's clock (client − provisioner − `api;dur`: serialising and sending the answer, HTTP, the client)",
                        ms(outside.median()), ms(outside.min()), ms(outside.max()), "", "")
                .row("provisioner call (`provisioner;dur`, all starts)", String.format(Locale.ROOT, "%.1f", prov.median()),
                        String.format(Locale.ROOT, "%.1f", prov.min()), String.format(Locale.ROOT, "%.1f", prov.max()), "", "")
                .end();
        MarkdownReport.replaceSection(name(), "sandbox-api benchmark", "## " + WAITING_HEADING, section);
    }
}
