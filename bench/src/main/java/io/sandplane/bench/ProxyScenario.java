package io.sandplane.bench;

import io.sandplane.devsupport.FreePorts;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.Team;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.service.AuthMode;
import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.ProjectLayout;
import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.test.SharedUrlRouter;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The url-router's proxy side by side with nginx, in one run, in front of the same upstream.
 *
 * <ul>
 * <li>Upstream: a second nginx answering a small static body (so the upstream costs as little as
 * possible and the proxies' own cost shows), and a Vert.x WebSocket echo in this JVM.</li>
 * <li>Proxies: nginx ({@code proxy_pass} with upstream keep-alive, WebSocket upgrade) and the built
 * url-router jar as deployed, routing {@code port-5173-vm-N.sandplane.localhost} from a real database row.</li>
 * <li>Load: {@code wrk -t2 -c64} (default) against the upstream directly, through nginx and through
 * the router, in alternating rounds; requests/s and p99 latency per round. Targets: router ≥ 90 % of
 * nginx's requests/s, and ≤ 2 ms p99 added over the direct path.</li>
 * <li>WebSocket: sequential echo round trips of a small text message through each.</li>
 * </ul>
 * Needs {@code nginx} and {@code wrk} on the PATH ({@code apt-get install nginx wrk}). Writes
 * bench/results/proxy.md.
 */
final class ProxyScenario implements Scenario {

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("([0-9]+) requests in ");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|75|90|99)%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    private static final String INTERNAL_TOKEN = "bench-internal-token-0123456789";
    private static final int HTTP_PORT = 5173;
    private static final int WS_PORT = 39383;

    record WrkResult(double rps, double p50Ms, double p99Ms, double proxyUserSeconds, double proxySystemSeconds, double requests) {
        /** Requests served per CPU second the proxy itself used: independent of what else ran on the machine. */
        double perCpuSecond() {
            double cpu = proxyUserSeconds + proxySystemSeconds;
            return cpu > 0 ? requests / cpu : Double.NaN;
        }

        /** The proxy's user-mode CPU per request, in microseconds (its own code: parsing, routing, copying). */
        double userMicrosPerRequest() {
            return requests > 0 ? proxyUserSeconds * 1e6 / requests : Double.NaN;
        }

        /** The proxy's kernel-mode CPU per request, in microseconds (system calls: reads, writes, polling). */
        double systemMicrosPerRequest() {
            return requests > 0 ? proxySystemSeconds * 1e6 / requests : Double.NaN;
        }
    }

    private static void jcmd(String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of("jcmd"));
        line.addAll(List.of(command));
        new ProcessBuilder(line).inheritIO().start().waitFor();
    }

    @Override
    public String name() {
        return "proxy";
    }

    @Override
    public void run(BenchRun run) throws Exception {
        BenchArgs args = run.args();
        int runs = args.integer("--runs", 5);
        int seconds = args.integer("--seconds", 10);
        int connections = args.integer("--connections", 64);
        int roundTrips = args.integer("--round-trips", 2000);
        // The router's JVM options as the url-router image starts it: the run-java.sh of ubi9/openjdk-21-runtime picks
        // ParallelGC with these settings (G1, the JVM's own default here, costs the proxy about 4 % of its requests/s).
        // --router-jvm "<options>" replaces all but the heap size, to try others.
        List<String> routerJvm = new ArrayList<>(List.of("-Xmx512m"));
        String otherJvm = args.string("--router-jvm", "");
        routerJvm.addAll(otherJvm.isBlank()
                ? List.of("-XX:+UseParallelGC", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20", "-XX:GCTimeRatio=4",
                        "-XX:AdaptiveSizePolicyWeight=90")
                : List.of(otherJvm.trim().split("\\s+")));
        require("nginx");
        require("wrk");
        String waited = run.quiet().describe();
        String loadBefore = LoadAverage.oneMinute();
        Path work = Files.createTempDirectory(ProjectLayout.root().resolve("bench/target").toAbsolutePath(), "proxy-bench-");
        String guestIp = freeLoopbackAddress();
        int nginxHttpPort = FreePorts.next();
        int nginxWsPort = FreePorts.next();
        // The public domain is only what Host headers must end with; the router listens wherever the kernel puts it.
        String domain = "sandplane.localhost:8088";
        Vertx vertx = Vertx.vertx();
        Process upstreamNginx = null;
        Process proxyNginx = null;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder(work.resolve("pg")).durabilityOff().start()) {
            upstreamNginx = nginx(work.resolve("upstream"), upstreamConfig(work.resolve("upstream"), guestIp));
            HttpServer echo = vertx.createHttpServer().webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage))
                    .listen(WS_PORT, guestIp).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            proxyNginx = nginx(work.resolve("proxy"), proxyConfig(work.resolve("proxy"), guestIp, nginxHttpPort, nginxWsPort));
            try (ServiceProcess router = ServiceProcess.of("url-router")
                    .env(Map.of("QUARKUS_DATASOURCE_JDBC_URL", pg.jdbcUrl(),
                            "QUARKUS_DATASOURCE_USERNAME", EmbeddedPostgres.USER,
                            "QUARKUS_DATASOURCE_PASSWORD", "unused",
                            "SANDPLANE_INTERNAL_TOKEN", INTERNAL_TOKEN,
                            "SANDPLANE_PROXY_PORT", "0",
                            "SANDPLANE_PROXY_HOST", "127.0.0.1",
                            "PVE_PUBLIC_DOMAIN", domain,
                            // The upstream's loopback network (freeLoopbackAddress) is the sandbox network here.
                            "PVE_IP_POOL_CIDR", "127.0.90.0/24",
                            "QUARKUS_LOG_LEVEL", "WARN"))
                    .jvmOptions(routerJvm)
                    .logFile(work.resolve("url-router.log"))
                    .start()) {
                int routerProxyPort = SharedUrlRouter.proxyPort(router);
                int vmid;
                // After the url-router's start: its Flyway migrations made the tables.
                try (BenchDatabase db = BenchDatabase.open(pg)) {
                    vmid = insertSandbox(db, guestIp);
                }
                String routerHost = "port-" + HTTP_PORT + "-vm-" + vmid + "." + domain;
                String routerWsHost = "port-" + WS_PORT + "-vm-" + vmid + "." + domain;
                Map<String, Target> targets = new LinkedHashMap<>();
                targets.put("direct", new Target(guestIp, HTTP_PORT, guestIp + ":" + HTTP_PORT, WS_PORT, guestIp + ":" + WS_PORT, guestIp,
                        List.of()));
                targets.put("nginx", new Target("127.0.0.1", nginxHttpPort, routerHost, nginxWsPort, routerWsHost, "127.0.0.1",
                        List.of(proxyNginx.pid())));
                targets.put("url-router", new Target("127.0.0.1", routerProxyPort, routerHost, routerProxyPort, routerWsHost, "127.0.0.1",
                        List.of(router.pid())));
                for (Map.Entry<String, Target> t : targets.entrySet()) {
                    String answer = get(t.getValue());
                    if (!answer.startsWith("HTTP/1.1 200") || !answer.contains("hello from upstream")) {
                        throw new IllegalStateException(t.getKey() + " does not reach the upstream: " + answer);
                    }
                }

                // Warm-up: the router's JIT and both proxies' upstream connection pools. The JIT needs a good 20 s of
                // load (less, and the router's first round came out at half its later ones).
                wrk(targets.get("url-router"), connections, Math.max(20, seconds));
                wrk(targets.get("nginx"), connections, 5);
                wrk(targets.get("direct"), connections, 5);

                Map<String, List<WrkResult>> results = new LinkedHashMap<>();
                targets.keySet().forEach(k -> results.put(k, new ArrayList<>()));
                if (args.has("--profile")) {
                    // The router under load, for finding where its time goes: a flight recording, or with
                    // --async-profiler <libasyncProfiler.so> (Maven Central: tools.profiler:async-profiler) CPU samples
                    // that include JIT-compiled frames and the kernel, as collapsed stacks.
                    String asyncProfiler = args.string("--async-profiler", null);
                    String pid = Long.toString(router.pid());
                    Path profile = work.resolve(asyncProfiler == null ? "url-router.jfr" : "url-router.collapsed");
                    if (asyncProfiler == null) {
                        jcmd(pid, "JFR.start", "settings=profile", "method-profiling=max", "duration=" + seconds + "s", "filename=" + profile);
                    } else {
                        // Quoted: jcmd would read an unquoted "a=b" as a named option of its own.
                        jcmd(pid, "JVMTI.agent_load", asyncProfiler, "\"start,event=cpu,interval=1000000\"");
                    }
                    wrk(targets.get("url-router"), connections, seconds);
                    if (asyncProfiler != null) {
                        jcmd(pid, "JVMTI.agent_load", asyncProfiler, "\"stop,collapsed,file=" + profile + "\"");
                    }
                    Thread.sleep(2000);
                    System.out.println("profile written to " + profile);
                    if (runs == 0) {
                        return;
                    }
                }
                List<Map.Entry<String, Target>> order = new ArrayList<>(targets.entrySet());
                for (int r = 0; r < runs; r++) {
                    // Rotated every round, so no path always runs right after another.
                    java.util.Collections.rotate(order, 1);
                    for (Map.Entry<String, Target> t : order) {
                        WrkResult result = wrk(t.getValue(), connections, seconds);
                        results.get(t.getKey()).add(result);
                        System.out.printf(Locale.ROOT, "round %d %-10s %9.0f req/s  p50 %.2f ms  p99 %.2f ms  %.0f req/CPU-s%n",
                                r + 1, t.getKey(), result.rps(), result.p50Ms(), result.p99Ms(), result.perCpuSecond());
                    }
                }

                // Latency without saturation: one connection, one request at a time.
                Map<String, List<WrkResult>> single = new LinkedHashMap<>();
                targets.keySet().forEach(k -> single.put(k, new ArrayList<>()));
                for (int r = 0; r < runs; r++) {
                    for (Map.Entry<String, Target> t : targets.entrySet()) {
                        WrkResult result = wrk(t.getValue(), 1, Math.max(5, seconds / 2), 1);
                        single.get(t.getKey()).add(result);
                        System.out.printf(Locale.ROOT, "single %d %-10s %9.0f req/s  p50 %.3f ms  p99 %.3f ms%n",
                                r + 1, t.getKey(), result.rps(), result.p50Ms(), result.p99Ms());
                    }
                }

                Map<String, List<Double>> roundTripsMs = new LinkedHashMap<>();
                for (Map.Entry<String, Target> t : targets.entrySet()) {
                    roundTripsMs.put(t.getKey(), webSocketRoundTrips(vertx, t.getValue(), 200, roundTrips));
                    System.out.printf(Locale.ROOT, "websocket %-10s median %.3f ms%n", t.getKey(),
                            Stats.of(roundTripsMs.get(t.getKey())).median());
                }
                write(runs, seconds, connections, roundTrips, results, single, roundTripsMs, loadBefore, LoadAverage.oneMinute(), waited, routerJvm);
            } finally {
                echo.close();
            }
        } finally {
            stop(proxyNginx);
            stop(upstreamNginx);
            vertx.close();
        }
    }

    /** Where to connect and which Host to send for the HTTP and WebSocket paths. */
    record Target(String ip, int httpPort, String httpHost, int wsPort, String wsHost, String wsIp, List<Long> pids) {
    }

    private static WrkResult wrk(Target target, int connections, int seconds) throws Exception {
        return wrk(target, connections, seconds, 2);
    }

    private static WrkResult wrk(Target target, int connections, int seconds, int threads) throws Exception {
        CpuTime.Split cpuBefore = CpuTime.splitOfTrees(target.pids());
        Process wrk = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency",
                "-H", "Host: " + target.httpHost(), "http://" + target.ip() + ":" + target.httpPort() + "/")
                .redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!wrk.waitFor(seconds + 60L, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
            throw new IllegalStateException("wrk failed:\n" + out);
        }
        if (out.contains("Non-2xx")) {
            throw new IllegalStateException("wrk saw error answers:\n" + out);
        }
        Matcher rps = RPS.matcher(out);
        if (!rps.find()) {
            throw new IllegalStateException("no Requests/sec in wrk output:\n" + out);
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher m = PERCENTILE.matcher(out);
        while (m.find()) {
            double value = Double.parseDouble(m.group(2));
            double ms = switch (m.group(3)) {
                case "us" -> value / 1000;
                case "s" -> value * 1000;
                default -> value;
            };
            if (m.group(1).equals("50")) {
                p50 = ms;
            } else if (m.group(1).equals("99")) {
                p99 = ms;
            }
        }
        CpuTime.Split cpu = CpuTime.splitOfTrees(target.pids()).minus(cpuBefore);
        Matcher total = TOTAL.matcher(out);
        double requests = total.find() ? Double.parseDouble(total.group(1)) : Double.NaN;
        return new WrkResult(Double.parseDouble(rps.group(1)), p50, p99, cpu.userSeconds(), cpu.systemSeconds(), requests);
    }

    private static List<Double> webSocketRoundTrips(Vertx vertx, Target target, int warmUp, int count) throws Exception {
        WebSocketClient client = vertx.createWebSocketClient();
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(target.wsIp()).setPort(target.wsPort()).setURI("/echo");
        options.addHeader("Host", target.wsHost());
        BlockingQueue<String> received = new ArrayBlockingQueue<>(1);
        WebSocket ws = client.connect(options).map(socket -> {
            socket.textMessageHandler(received::add);
            return socket;
        }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        List<Double> samples = new ArrayList<>();
        String message = "x".repeat(64);
        for (int i = 0; i < warmUp + count; i++) {
            long start = System.nanoTime();
            ws.writeTextMessage(message);
            String echo = received.poll(10, TimeUnit.SECONDS);
            long elapsed = System.nanoTime() - start;
            if (!message.equals(echo)) {
                throw new IllegalStateException("bad echo through " + target + ": " + echo);
            }
            if (i >= warmUp) {
                samples.add(elapsed / 1e6);
            }
        }
        ws.close();
        client.close();
        return samples;
    }

    private void write(int runs, int seconds, int connections, int roundTrips, Map<String, List<WrkResult>> results,
            Map<String, List<WrkResult>> single, Map<String, List<Double>> ws, String loadBefore, String loadAfter, String waited,
            List<String> routerJvm) throws IOException {
        Stats routerRps = Stats.of(results.get("url-router").stream().map(WrkResult::rps).toList());
        Stats nginxRps = Stats.of(results.get("nginx").stream().map(WrkResult::rps).toList());
        Stats directP99 = Stats.of(results.get("direct").stream().map(WrkResult::p99Ms).toList());
        Stats routerP99 = Stats.of(results.get("url-router").stream().map(WrkResult::p99Ms).toList());
        Stats nginxP99 = Stats.of(results.get("nginx").stream().map(WrkResult::p99Ms).toList());
        double ratio = routerRps.median() / nginxRps.median();
        double routerAdded = routerP99.median() - directP99.median();
        double nginxAdded = nginxP99.median() - directP99.median();
        StringBuilder md = new StringBuilder();
        md.append("# Proxy benchmark: url-router vs nginx\n\n");
        md.append("`bench/run proxy` (`io.sandplane.bench.ProxyScenario`). One run, one machine, same upstream for both proxies.\n\n");
        md.append(String.format(Locale.ROOT, "- Machine: %d cores (shared by wrk, both proxies and the upstream), 1-minute load average before %s, after %s (%s).%n",
                Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter, waited));
        md.append("- Upstream: nginx returning a 20-byte static body (HTTP), a Vert.x WebSocket echo (WebSocket), on a loopback guest address.\n");
        md.append("- nginx: `").append(version("nginx", "-v")).append("`, `worker_processes auto`, `proxy_http_version 1.1` with upstream keep-alive, "
                + "WebSocket upgrade headers, X-Forwarded-For/Proto/Host set; access log off.\n");
        md.append("- url-router: the built jar on Java " + Runtime.version().feature() + " (`" + String.join(" ", routerJvm)
                + "`, the image's GC settings), one proxy event loop per core (Netty); the route comes from a real database row "
                + "(cached, invalidated by LISTEN/NOTIFY), the service is `public`, activity recording on.\n");
        md.append(String.format(Locale.ROOT, "- Load: `wrk -t2 -c%d -d%ds --latency`, %d rounds over direct, nginx and url-router (order rotated each round) after a warm-up.%n%n",
                connections, seconds, runs));
        // Other work that started during the run disturbs it as much as work that was there before.
        double load = Math.max(parseLoad(loadBefore), parseLoad(loadAfter));
        if (load > Runtime.getRuntime().availableProcessors()) {
            md.append(String.format(Locale.ROOT, "> The machine was busy with other work (load average up to %.1f on %d cores): p99 latencies below are "
                    + "dominated by scheduling stalls (look at the direct path's own p99) and say little about the proxies. Requests per "
                    + "proxy CPU-second and p50 are the robust figures.%n%n", load, Runtime.getRuntime().availableProcessors()));
        }
        md.append("## HTTP, requests/s and latency (median of rounds, min–max)\n\n");
        md.append("| path | requests/s | p50 ms | p99 ms | requests per proxy CPU-second | proxy CPU µs per request, user + system |\n"
                + "|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<WrkResult>> e : results.entrySet()) {
            Stats rps = Stats.of(e.getValue().stream().map(WrkResult::rps).toList());
            Stats p50 = Stats.of(e.getValue().stream().map(WrkResult::p50Ms).toList());
            Stats p99 = Stats.of(e.getValue().stream().map(WrkResult::p99Ms).toList());
            md.append("| ").append(e.getKey()).append(" | ").append(rps.format("%.0f")).append(" | ")
                    .append(p50.format("%.2f")).append(" | ").append(p99.format("%.2f")).append(" | ")
                    .append(e.getKey().equals("direct") ? "–" : Stats.of(e.getValue().stream().map(WrkResult::perCpuSecond).toList()).format("%.0f"))
                    .append(" | ")
                    .append(e.getKey().equals("direct") ? "–" : String.format(Locale.ROOT, "%.1f + %.1f",
                            Stats.of(e.getValue().stream().map(WrkResult::userMicrosPerRequest).toList()).median(),
                            Stats.of(e.getValue().stream().map(WrkResult::systemMicrosPerRequest).toList()).median()))
                    .append(" |\n");
        }
        md.append("\nRequests per proxy CPU-second divide the requests wrk completed by the user+system CPU time the proxy's processes "
                + "(nginx master and workers; the router's JVM) used meanwhile, read from /proc: a measure of the proxy's own cost "
                + "that does not depend on what else competed for the cores.\n");
        md.append("\n## Targets\n\n");
        md.append(String.format(Locale.ROOT, "| target | result | met |%n|---|---|---|%n"));
        md.append(String.format(Locale.ROOT, "| url-router ≥ 90 %% of nginx's requests/s | %.0f %% (%.0f vs %.0f req/s) | %s |%n",
                ratio * 100, routerRps.median(), nginxRps.median(), ratio >= 0.9 ? "yes" : "**no**"));
        md.append(String.format(Locale.ROOT, "| url-router adds ≤ 2 ms p99 (vs direct) | %+.2f ms (nginx adds %+.2f ms) | %s |%n",
                routerAdded, nginxAdded,
                // Below zero the direct path's own tail was worse than through a proxy: scheduling noise, not a result.
                routerAdded < 0 ? "inconclusive" : routerAdded <= 2.0 ? "yes" : "**no**"));
        double cpuRatio = Stats.of(results.get("url-router").stream().map(WrkResult::perCpuSecond).toList()).median()
                / Stats.of(results.get("nginx").stream().map(WrkResult::perCpuSecond).toList()).median();
        md.append(String.format(Locale.ROOT, "| (for reference) url-router's requests per CPU-second vs nginx's | %.0f %% | – |%n", cpuRatio * 100));
        Stats singleDirect = Stats.of(single.get("direct").stream().map(WrkResult::p99Ms).toList());
        Stats singleRouter = Stats.of(single.get("url-router").stream().map(WrkResult::p99Ms).toList());
        Stats singleNginx = Stats.of(single.get("nginx").stream().map(WrkResult::p99Ms).toList());
        md.append(String.format(Locale.ROOT, "| (for reference) p99 added at one request at a time (`wrk -t1 -c1`) | url-router %+.3f ms, nginx %+.3f ms | %s |%n",
                singleRouter.median() - singleDirect.median(), singleNginx.median() - singleDirect.median(),
                singleRouter.median() - singleDirect.median() <= 2.0 ? "yes" : "**no**"));
        md.append("\n## One request at a time (`wrk -t1 -c1`), latency without saturation\n\n");
        md.append("| path | requests/s | p50 ms | p99 ms |\n|---|---|---|---|\n");
        for (Map.Entry<String, List<WrkResult>> e : single.entrySet()) {
            md.append("| ").append(e.getKey()).append(" | ")
                    .append(Stats.of(e.getValue().stream().map(WrkResult::rps).toList()).format("%.0f")).append(" | ")
                    .append(Stats.of(e.getValue().stream().map(WrkResult::p50Ms).toList()).format("%.3f")).append(" | ")
                    .append(Stats.of(e.getValue().stream().map(WrkResult::p99Ms).toList()).format("%.3f")).append(" |\n");
        }
        md.append("\n## WebSocket echo round trip (64-byte text message, sequential, ").append(roundTrips).append(" after 200 warm-up)\n\n");
        md.append("| path | median ms | p99 ms | min ms | max ms |\n|---|---|---|---|---|\n");
        for (Map.Entry<String, List<Double>> e : ws.entrySet()) {
            Stats s = Stats.of(e.getValue());
            md.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f |%n", e.getKey(), s.median(),
                    Stats.percentile(e.getValue(), 99), s.min(), s.max()));
        }
        // The tables here are laid out by hand (their cells derive from several WrkResults); the file goes out the common way.
        new MarkdownReport().text(md.toString()).write(name());
    }

    /** A RUNNING sandbox at the upstream's address with its two public services: the route both proxies serve. */
    private static int insertSandbox(BenchDatabase db, String ip) {
        int vmid = 900_000 + (int) (Math.random() * 90_000);
        Team team = BenchDatabase.team("bench", "bench");
        Sandbox sandbox = BenchDatabase.sandbox(team.id);
        sandbox.snapshotId = "snapshot_bench";
        sandbox.status = SandboxStatus.RUNNING;
        sandbox.vmid = vmid;
        sandbox.node = "pve";
        sandbox.ip = ip;
        db.insert(team, sandbox, BenchDatabase.service(sandbox.id, "preview", HTTP_PORT, AuthMode.PUBLIC, "bench"),
                BenchDatabase.service(sandbox.id, "xterm", WS_PORT, AuthMode.PUBLIC, "bench"));
        return vmid;
    }

    private static String upstreamConfig(Path dir, String ip) {
        return common(dir, 1) + "  server {\n    listen " + ip + ":" + HTTP_PORT + ";\n    keepalive_requests 1000000;\n"
                + "    location / { default_type text/plain; return 200 \"hello from upstream\\n\"; }\n  }\n}\n";
    }

    private static String proxyConfig(Path dir, String ip, int httpPort, int wsPort) {
        String proxied = "      proxy_http_version 1.1;\n"
                + "      proxy_set_header Host $http_host;\n"
                + "      proxy_set_header Upgrade $http_upgrade;\n"
                + "      proxy_set_header Connection $connection_upgrade;\n"
                + "      proxy_set_header X-Forwarded-For $remote_addr;\n"
                + "      proxy_set_header X-Forwarded-Proto $scheme;\n"
                + "      proxy_set_header X-Forwarded-Host $http_host;\n";
        return common(dir, 0)
                + "  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }\n"
                + "  upstream guest_http { server " + ip + ":" + HTTP_PORT + "; keepalive 128; keepalive_requests 1000000; }\n"
                + "  upstream guest_ws { server " + ip + ":" + WS_PORT + "; }\n"
                + "  server {\n    listen 127.0.0.1:" + httpPort + ";\n    keepalive_requests 1000000;\n"
                + "    location / {\n      proxy_pass http://guest_http;\n" + proxied + "    }\n  }\n"
                + "  server {\n    listen 127.0.0.1:" + wsPort + ";\n"
                + "    location / {\n      proxy_pass http://guest_ws;\n" + proxied + "    }\n  }\n}\n";
    }

    private static String common(Path dir, int workers) {
        return "user root;\nworker_processes " + (workers == 0 ? "auto" : Integer.toString(workers)) + ";\ndaemon off;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\nerror_log " + dir.resolve("error.log") + " warn;\n"
                + "events { worker_connections 4096; }\nhttp {\n  access_log off;\n"
                + "  client_body_temp_path " + dir.resolve("tmp/body") + ";\n  proxy_temp_path " + dir.resolve("tmp/proxy") + ";\n"
                + "  fastcgi_temp_path " + dir.resolve("tmp/fastcgi") + ";\n  uwsgi_temp_path " + dir.resolve("tmp/uwsgi") + ";\n"
                + "  scgi_temp_path " + dir.resolve("tmp/scgi") + ";\n";
    }

    private static Process nginx(Path dir, String config) throws Exception {
        Files.createDirectories(dir.resolve("tmp"));
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, config);
        Process p = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", conf.toString(), "-e", dir.resolve("error.log").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !Files.exists(dir.resolve("nginx.pid"))) {
            if (!p.isAlive()) {
                throw new IllegalStateException("nginx exited: " + Files.readString(dir.resolve("nginx.out")));
            }
            Thread.sleep(50);
        }
        Thread.sleep(200);
        return p;
    }

    private static void stop(Process p) throws InterruptedException {
        if (p != null && p.isAlive()) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static String get(Target t) throws IOException {
        try (Socket s = new Socket(t.ip(), t.httpPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + t.httpHost() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String freeLoopbackAddress() throws IOException {
        for (int i = 0; i < 50; i++) {
            String ip = "127.0.90." + (10 + (int) (Math.random() * 200));
            if (free(ip, HTTP_PORT) && free(ip, WS_PORT)) {
                return ip;
            }
        }
        throw new IllegalStateException("no free loopback address for the bench upstream");
    }

    private static boolean free(String ip, int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(ip))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void require(String command) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "command -v " + command).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(command + " is not installed: apt-get install nginx wrk");
        }
    }

    private static String version(String command, String flag) {
        try {
            Process p = new ProcessBuilder(command, flag).redirectErrorStream(true).start();
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return command;
        }
    }

    private static double parseLoad(String load) {
        try {
            return Double.parseDouble(load);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

}
