package io.sandplane.bench;

import io.sandplane.devsupport.ProjectLayout;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The benchmark report: runs every benchmark the issues name, one after another, each in its own
 * JVM (as {@code bench/run <name>} would), records the machine and the load average around every
 * part, then reads the figures back from the reports those runs just wrote and assembles
 * bench/results/REPORT.md with each figure's target from the issues.
 *
 * <p>Arguments: {@code --quick} (few rounds, to try the runner; the report says so) and {@code --only
 * a,b} (a subset of parts). Before the first part {@link Bench} waits for a quiet machine, up to 60
 * minutes unless {@code --quiet-wait-minutes N} (or {@code --no-wait}) says otherwise.
 */
final class ReportScenario implements Scenario {

    /** A benchmark run as one part of the report. */
    record Part(String name, List<String> fullArgs, List<String> quickArgs) {
        Path results() {
            return ProjectLayout.root().resolve("bench/results/" + name + ".md");
        }

        /** The copy the report keeps and links to: the file exactly as this run wrote it. */
        Path snapshot() {
            return ProjectLayout.root().resolve("bench/results/report/" + name + ".md");
        }
    }

    /** What happened when a part ran. */
    record Ran(Part part, List<String> args, String loadBefore, String loadAfter, Duration took, int exit, boolean fresh) {
        boolean ok() {
            return exit == 0 && fresh;
        }
    }

    /** One line of the summary. */
    record Figure(String part, String name, String result, String target, Verdict verdict) {
    }

    /** Start-up time and memory of one process (medians with min and max). */
    record ServiceFigures(String process, Optional<Stats> startUpMs, Optional<Stats> idleRssMb, Optional<Stats> peakRssMb,
            Optional<Stats> idleHeapMb, Optional<Stats> loadedHeapMb) {
    }

    enum Verdict {
        MET("met"), MISSED("**missed**"), NO_TARGET("no target named"), UNKNOWN("**not measured**"),
        /** The measurement cannot decide: e.g. the path without the proxy was slower than through it. */
        INCONCLUSIVE("**inconclusive** (noise larger than the effect)");

        final String text;

        Verdict(String text) {
            this.text = text;
        }

        static Verdict of(boolean met) {
            return met ? MET : MISSED;
        }
    }

    static final List<Part> PARTS = List.of(
            new Part("simulator", List.of(), List.of("--runs", "2")),
            new Part("provisioner", List.of("5", "100", "5"), List.of("2", "30", "2")),
            new Part("api", List.of("--runs", "5"),
                    List.of("--runs", "2", "--seconds", "3", "--starts", "50", "--waiting-starts", "5")),
            new Part("proxy", List.of("--runs", "5"),
                    List.of("--runs", "2", "--seconds", "3", "--round-trips", "300")),
            new Part("reaper", List.of("9", "10000"), List.of("2", "2000")),
            new Part("topology", List.of(),
                    List.of("--cold-starts", "2", "--rounds", "2", "--starts", "30", "--concurrent-starts", "60", "--warm-up", "100",
                            "--load-seconds", "8", "--parallel-rounds", "2", "--clone-ms", "200", "--start-ms", "100")));

    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    @Override
    public String name() {
        return "report";
    }

    /** The parts take about 45 minutes: worth waiting for a machine that lets them measure what they mean to. */
    @Override
    public int defaultQuietWaitMinutes() {
        return 60;
    }

    @Override
    public void run(BenchRun run) throws Exception {
        BenchArgs args = run.args();
        boolean quick = args.has("--quick");
        double quietLoad = args.decimal("--quiet-below", args.decimal("--quiet-load", 1.0));
        Set<String> only = Set.of(args.string("--only", PARTS.stream().map(Part::name).collect(Collectors.joining(","))).split(","));
        Path root = ProjectLayout.root();
        Path logs = root.resolve("bench/target/report-logs");
        Files.createDirectories(logs);

        Instant began = Instant.now();
        String code = Machine.git(); // before the parts rewrite the results files
        String waited = run.quiet().describe();
        List<Ran> ran = new ArrayList<>();
        for (Part part : PARTS) {
            if (!only.contains(part.name())) {
                continue;
            }
            ran.add(run(part, quick ? part.quickArgs() : part.fullArgs(), logs));
        }
        String command = "bench/run report" + (args.values().isEmpty() ? "" : " " + args);
        Writer writer = new Writer(quick, command, began, waited, quietLoad, ran, code);
        String report = writer.render();
        Path out = root.resolve("bench/results/REPORT.md");
        Files.writeString(out, report);
        System.out.println(report);
        System.out.println("written to " + out);
        List<String> failed = ran.stream().filter(r -> !r.ok()).map(r -> r.part().name()).toList();
        if (!failed.isEmpty()) {
            throw new IllegalStateException("parts failed or wrote no results: " + failed);
        }
    }

    /** Runs one part in its own JVM with the runner's class path; its output goes to the console and a log file. */
    private static Ran run(Part part, List<String> args, Path logs) throws IOException, InterruptedException {
        Path results = part.results();
        FileTime before = Files.exists(results) ? Files.getLastModifiedTime(results) : FileTime.fromMillis(0);
        List<String> command = Bench.command(part.name(), args);
        System.out.println("== " + part.name() + " " + String.join(" ", args));
        String loadBefore = LoadAverage.all();
        Instant t0 = Instant.now();
        Process p = new ProcessBuilder(command).directory(ProjectLayout.root().toFile()).redirectErrorStream(true).start();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter log = new PrintWriter(Files.newBufferedWriter(logs.resolve(part.name() + ".log")))) {
            String line;
            while ((line = in.readLine()) != null) {
                System.out.println("  " + line);
                log.println(line);
            }
        }
        int exit = p.waitFor();
        Duration took = Duration.between(t0, Instant.now());
        boolean fresh = Files.exists(results) && Files.getLastModifiedTime(results).compareTo(before) > 0
                && Files.getLastModifiedTime(results).toInstant().isAfter(t0);
        System.out.printf(Locale.ROOT, "== %s: exit %d in %d s, results %s%n", part.name(), exit, took.toSeconds(),
                fresh ? "written" : "NOT written by this run");
        Files.createDirectories(part.snapshot().getParent());
        if (exit == 0 && fresh) {
            Files.copy(results, part.snapshot(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.deleteIfExists(part.snapshot());
        }
        return new Ran(part, args, loadBefore, LoadAverage.all(), took, exit, fresh);
    }

    /** Renders REPORT.md from the runs' own result files. */
    static final class Writer {
        private final boolean quick;
        private final String command;
        private final Instant began;
        private final String waited;
        private final double quietLoad;
        private final List<Ran> ran;
        private final List<Figure> figures = new ArrayList<>();
        private final List<ServiceFigures> services = new ArrayList<>();
        private final String code;

        Writer(boolean quick, String command, Instant began, String waited, double quietLoad, List<Ran> ran, String code) {
            this.code = code;
            this.quick = quick;
            this.command = command;
            this.began = began;
            this.waited = waited;
            this.quietLoad = quietLoad;
            this.ran = ran;
        }

        /** The highest 1-minute load average seen before or after any part. */
        double busiest() {
            return ran.stream().mapToDouble(r -> Math.max(firstNumber(r.loadBefore()), firstNumber(r.loadAfter()))).max().orElse(0);
        }

        /** A benchmark keeps the cores busy itself (load about 2 to 5 here); well above that, other work shared them. */
        boolean busy() {
            int cores = Runtime.getRuntime().availableProcessors();
            return busiest() > 2 * cores + 1 || (!ran.isEmpty() && firstNumber(ran.getFirst().loadBefore()) >= quietLoad);
        }

        String render() throws IOException {
            for (Ran r : ran) {
                String md = r.ok() ? Files.readString(r.part().snapshot()) : null;
                switch (r.part().name()) {
                    case "simulator" -> simulator(md);
                    case "provisioner" -> provisioner(md);
                    case "api" -> api(md);
                    case "proxy" -> proxy(md);
                    case "reaper" -> reaper(md);
                    case "topology" -> topology(md);
                    default -> throw new IllegalStateException("no figures for " + r.part().name());
                }
            }
            StringBuilder out = new StringBuilder();
            out.append("# Sandplane benchmark report\n\n");
            if (quick) {
                out.append("> **QUICK RUN** (`--quick`): few rounds and short windows, to try the runner. These figures are NOT "
                        + "medians of at least 5 runs and say little; run `bench/run report` for the real report.\n\n");
            }
            double busiest = busiest();
            int cores = Runtime.getRuntime().availableProcessors();
            boolean busy = busy();
            if (busy) {
                out.append(String.format(Locale.ROOT, "> **BUSY MACHINE**: other work shared the %d cores during this run — the 1-minute "
                        + "load average reached %.2f (the benchmarks alone make it about 2 to 5; see the parts table). Throughput and "
                        + "latencies, p99 most of all, are pessimistic.%n%n", cores, busiest));
            }
            if (ran.stream().anyMatch(r -> !r.ok())) {
                out.append("> **Some parts failed or wrote no results** (see the parts table and bench/target/report-logs/): their "
                        + "figures are marked *not measured*.\n\n");
            }
            out.append("- Command: `").append(command).append("` (builds with `./mvnw -Pbench -DskipTests package`, then runs each "
                    + "benchmark in its own JVM and assembles this file from the reports those runs wrote).\n");
            out.append("- Date: ").append(UTC.format(began)).append(" to ").append(UTC.format(Instant.now())).append(".\n");
            out.append("- Machine: ").append(Machine.describe()).append(".\n");
            out.append("- JDK: ").append(System.getProperty("java.vm.vendor")).append(' ').append(System.getProperty("java.runtime.version"))
                    .append(" (every service process runs on the same JDK).\n");
            out.append("- Code: ").append(code).append(".\n");
            out.append("- Quiet machine: ").append(waited).append(". The machine is shared with other work; the load average before and "
                    + "after each part is in the parts table.\n\n");
            out.append("## Summary\n\n");
            out.append("Each result is the median of the runs (rounds) of its benchmark, with min and max and the number of runs; a "
                    + "target is judged on the median. Details and method: the per-benchmark reports this run wrote, kept as they "
                    + "were in [report/](report/) (bench/results/<name>.md is the latest run of each benchmark, whoever ran it).\n\n");
            out.append("| part | figure | result | target (issue) | |\n|---|---|---|---|---|\n");
            for (Figure f : figures) {
                out.append("| ").append(f.part()).append(" | ").append(f.name()).append(" | ").append(f.result()).append(" | ")
                        .append(f.target()).append(" | ").append(f.verdict().text).append(" |\n");
            }
            long missed = figures.stream().filter(f -> f.verdict() == Verdict.MISSED).count();
            long met = figures.stream().filter(f -> f.verdict() == Verdict.MET).count();
            long unknown = figures.stream().filter(f -> f.verdict() == Verdict.UNKNOWN).count();
            long inconclusive = figures.stream().filter(f -> f.verdict() == Verdict.INCONCLUSIVE).count();
            out.append(String.format(Locale.ROOT, "%nTargets: %d met, %d missed%s%s.%n%n", met, missed,
                    inconclusive > 0 ? ", " + inconclusive + " inconclusive" : "", unknown > 0 ? ", " + unknown + " figures not measured" : ""));
            if (!services.isEmpty()) {
                out.append("## Start-up time and memory of each process\n\n");
                out.append("From the topology part: each process cold-started inside the running topology; idle memory a few "
                        + "seconds after ready, peak RSS and heap used under the start/read/delete, proxy and reaper load. RSS is "
                        + "`VmRSS` from /proc, heap used from `jcmd GC.heap_info`. The issues name no target for these.\n\n");
                out.append("| process | start-up, process start → ready (ms) | RSS idle (MB) | RSS under load, peak (MB) | heap used idle (MB) "
                        + "| heap used under load (MB) |\n|---|---|---|---|---|---|\n");
                for (ServiceFigures f : services) {
                    out.append("| ").append(f.process());
                    for (Optional<Stats> v : List.of(f.startUpMs(), f.idleRssMb(), f.peakRssMb(), f.idleHeapMb(), f.loadedHeapMb())) {
                        out.append(" | ").append(v.map(x -> x.format("%.0f")).orElse("**not measured**"));
                    }
                    out.append(" |\n");
                }
                out.append('\n');
            }
            out.append("## Parts\n\n");
            out.append("Run one after another, each in its own JVM; `1-min / 5-min / 15-min` load average read just before and just "
                    + "after each part (the 1-minute figure partly reflects the benchmark itself).\n\n");
            out.append("| part | command | load before | load after | took | outcome | report |\n|---|---|---|---|---|---|---|\n");
            for (Ran r : ran) {
                out.append("| ").append(r.part().name()).append(" | `bench/run ").append(r.part().name())
                        .append(r.args().isEmpty() ? "" : " " + String.join(" ", r.args())).append("` | ").append(r.loadBefore())
                        .append(" | ").append(r.loadAfter()).append(" | ").append(minutes(r.took())).append(" | ")
                        .append(r.ok() ? "ok" : r.exit() != 0 ? "**failed (exit " + r.exit() + ")**" : "**no results written**")
                        .append(" | ").append(r.ok() ? "[report/" + r.part().name() + ".md](report/" + r.part().name() + ".md)" : "—")
                        .append(" |\n");
            }
            if (busy) {
                out.append(String.format(Locale.ROOT, "%n> **The machine was busy during this run**: the 1-minute load average reached "
                        + "%.2f around some parts (quiet means below %.1f before a part; the benchmarks themselves raise it to about 2 "
                        + "to 5). Figures of those parts are pessimistic, tail latencies (p99) most of all; the CPU-cost figures in the "
                        + "part reports (CPU per request) are not affected.%n", busiest, quietLoad));
            }
            out.append("\n## Notes\n\n");
            out.append("- *Start overhead through the API* is measured on the whole topology (topology.md): five processes from the "
                    + "built jars over one embedded PostgreSQL, every simulator latency zero, so the time is Sandplane's own. The "
                    + "provisioner's and the API's own benchmarks (provisioner.md, api.md) measure each service alone.\n");
            out.append("- The proxy figures come from proxy.md: requests/s of each path are medians of rounds; the ratio is of "
                    + "those medians, and *added* latency is the proxy's median minus the direct path's median.\n");
            out.append("- The issues name no target for start-up time or memory; they are reported for tracking.\n");
            out.append("- *Parallel starts* with 1 and 4 template copies are measured through the API, side by side in one run; "
                    + "issue 4's 1.2× bound (stated for 20 starts on 4 copies with clone 2 s, start 1 s; provisioner.md) is applied "
                    + "to them as well.\n");
            return out.toString();
        }

        private static String minutes(Duration d) {
            return String.format(Locale.ROOT, "%d min %02d s", d.toMinutes(), d.toSecondsPart());
        }

        private void add(String part, String name, Optional<Stats> value, String format, String target, Verdict verdict) {
            figures.add(new Figure(part, name, value.map(v -> v.format(format)).orElse("—"), target,
                    value.isPresent() ? verdict : Verdict.UNKNOWN));
        }

        private void stat(String part, String name, String md, String row, int cell, String format, String target,
                java.util.function.Predicate<Stats> met) {
            Optional<Stats> s = md == null ? Optional.empty() : Markdown.row(md, row).flatMap(c -> Markdown.stats(c, cell));
            add(part, name, s, format, target, met == null ? Verdict.NO_TARGET : s.map(v -> Verdict.of(met.test(v))).orElse(Verdict.UNKNOWN));
        }

        private void simulator(String md) {
            stat("simulator", "clone + start, simulator time per pair (ms)", md, "simulator handling time", 1, "%.2f",
                    "< 5 ms (3)", s -> s.median() < 5);
            stat("simulator", "API calls/s", md, "API calls/s", 1, "%.0f", "≥ 2,000 (3)", s -> s.median() >= 2000);
        }

        private void provisioner(String md) {
            stat("provisioner", "start overhead p50, provisioner alone (ms)", md, "^\\| p50 per start", 1, "%.1f", "≤ 15 ms (4)",
                    s -> s.median() <= 15);
            stat("provisioner", "start overhead p99, provisioner alone (ms)", md, "^\\| p99 per start", 1, "%.1f", "≤ 50 ms (4)",
                    s -> s.median() <= 50);
            stat("provisioner", "20 concurrent starts on 4 copies, makespan / minimum", md, "makespan / minimum", 1, "%.2f",
                    "≤ 1.2 (4)", s -> s.median() <= 1.2);
        }

        private void api(String md) {
            stat("api", "`GET /api/sandboxes/{id}` requests/s", md, "^\\| requests/s", 1, "%.0f", "≥ 3,000 (5)",
                    s -> s.median() >= 3000);
        }

        private void proxy(String md) {
            Optional<List<String>> direct = Optional.empty();
            Optional<List<String>> nginx = Optional.empty();
            Optional<List<String>> router = Optional.empty();
            Optional<String> ws = Optional.empty();
            if (md != null) {
                String http = Markdown.section(md, "HTTP").orElse(md);
                direct = Markdown.row(http, "^\\| direct \\|");
                nginx = Markdown.row(http, "^\\| nginx \\|");
                router = Markdown.row(http, "^\\| url-router \\|");
                ws = Markdown.section(md, "WebSocket");
            }
            Optional<Stats> routerRps = router.flatMap(c -> Markdown.stats(c, 1));
            Optional<Stats> nginxRps = nginx.flatMap(c -> Markdown.stats(c, 1));
            add("proxy", "url-router requests/s (wrk, 64 connections)", routerRps, "%.0f", "—", Verdict.NO_TARGET);
            add("proxy", "nginx requests/s, same run", nginxRps, "%.0f", "—", Verdict.NO_TARGET);
            if (routerRps.isPresent() && nginxRps.isPresent()) {
                double ratio = routerRps.get().median() / nginxRps.get().median();
                figures.add(new Figure("proxy", "url-router / nginx requests/s", String.format(Locale.ROOT, "%.0f %%", ratio * 100),
                        "≥ 90 % (6)", Verdict.of(ratio >= 0.9)));
            } else {
                figures.add(new Figure("proxy", "url-router / nginx requests/s", "—", "≥ 90 % (6)", Verdict.UNKNOWN));
            }
            for (int[] which : new int[][] { { 2, 0 }, { 3, 1 } }) {
                String name = which[0] == 2 ? "p50" : "p99";
                Optional<Stats> d = direct.flatMap(c -> Markdown.stats(c, which[0]));
                Optional<Stats> n = nginx.flatMap(c -> Markdown.stats(c, which[0]));
                Optional<Stats> r = router.flatMap(c -> Markdown.stats(c, which[0]));
                String target = which[1] == 1 ? "≤ 2 ms (6)" : "—";
                if (d.isPresent() && n.isPresent() && r.isPresent()) {
                    double added = r.get().median() - d.get().median();
                    // Under load the direct path's tail can be the slowest of the three: a negative "added" p99 proves nothing.
                    Verdict verdict = which[1] == 1 ? (added < 0 ? Verdict.INCONCLUSIVE : Verdict.of(added <= 2.0)) : Verdict.NO_TARGET;
                    figures.add(new Figure("proxy", "latency added over direct, " + name + " (ms)",
                            String.format(Locale.ROOT, "url-router %+.2f, nginx %+.2f", added, n.get().median() - d.get().median()),
                            target, verdict));
                } else {
                    figures.add(new Figure("proxy", "latency added over direct, " + name + " (ms)", "—", target, Verdict.UNKNOWN));
                }
            }
            Optional<Double> wsNginx = ws.flatMap(s -> Markdown.row(s, "^\\| nginx \\|")).flatMap(c -> Markdown.number(c, 1));
            Optional<Double> wsRouter = ws.flatMap(s -> Markdown.row(s, "^\\| url-router \\|")).flatMap(c -> Markdown.number(c, 1));
            figures.add(new Figure("proxy", "WebSocket echo round trip, median (ms)",
                    wsNginx.isPresent() && wsRouter.isPresent()
                            ? String.format(Locale.ROOT, "url-router %.3f, nginx %.3f", wsRouter.get(), wsNginx.get()) : "—",
                    "— (report both)", wsNginx.isPresent() && wsRouter.isPresent() ? Verdict.NO_TARGET : Verdict.UNKNOWN));
        }

        private void reaper(String md) {
            stat("reaper", "one pass over 10k rows / 10k guests (ms)", md, "^\\| pass duration", 1, "%.0f", "≤ 2,000 ms (7)",
                    s -> s.median() <= 2000);
            stat("reaper", "guest-list calls per pass (3 nodes)", md, "guest-list calls", 1, "%.0f", "1 per node = 3 (7)",
                    s -> s.max() <= 3);
        }

        private void topology(String md) {
            String t = "topology";
            stat(t, "start through the API, 1 client, p50 (ms)", md, "^\\| 1 \\| start, client-observed p50", 2, "%.1f",
                    "≤ 20 ms (4 + 5: 15 + 5)", s -> s.median() <= 20);
            stat(t, "start through the API, 1 client, p99 (ms)", md, "^\\| 1 \\| start, client-observed p99", 2, "%.1f",
                    "none for the whole (4: provisioner part ≤ 50)", null);
            stat(t, "— its provisioner call, p50 (ms)", md, "^\\| 1 \\| provisioner call p50", 2, "%.1f", "≤ 15 ms (4)",
                    s -> s.median() <= 15);
            stat(t, "— its provisioner call, p99 (ms)", md, "^\\| 1 \\| provisioner call p99", 2, "%.1f", "≤ 50 ms (4)",
                    s -> s.median() <= 50);
            stat(t, "— added by the API, p50 (ms)", md, "^\\| 1 \\| API added p50", 2, "%.1f", "≤ 5 ms (5)", s -> s.median() <= 5);
            stat(t, "start through the API, 20 clients, p50 (ms)", md, "^\\| 20 \\| start, client-observed p50", 2, "%.1f", "—", null);
            stat(t, "start through the API, 20 clients, p99 (ms)", md, "^\\| 20 \\| start, client-observed p99", 2, "%.1f", "—", null);
            stat(t, "50 parallel starts, 1 copy: makespan / minimum", md, "^\\| 1 \\| [0-9]+ \\|", 3, "%.3f", "≤ 1.2 (4)",
                    s -> s.median() <= 1.2);
            stat(t, "50 parallel starts, 4 copies: makespan / minimum", md, "^\\| 4 \\| [0-9]+ \\|", 3, "%.3f", "≤ 1.2 (4)",
                    s -> s.median() <= 1.2);
            String memory = md == null ? null : Markdown.section(md, "Memory under load").orElse(null);
            String startUp = md == null ? null : Markdown.section(md, "Start-up time").orElse(null);
            for (String process : List.of("pve-simulator (test tool)", "provisioner", "url-router", "reaper", "sandbox-api")) {
                String row = "^\\| " + Pattern.quote(process) + " \\|";
                Optional<List<String>> up = startUp == null ? Optional.empty() : Markdown.row(startUp, row);
                Optional<List<String>> mem = memory == null ? Optional.empty() : Markdown.row(memory, row);
                services.add(new ServiceFigures(process, up.flatMap(c -> Markdown.stats(c, 1)), mem.flatMap(c -> Markdown.stats(c, 1)),
                        mem.flatMap(c -> Markdown.stats(c, 2)), mem.flatMap(c -> Markdown.stats(c, 3)), mem.flatMap(c -> Markdown.stats(c, 4))));
            }
        }
    }

    /** Reading figures back from the benchmarks' Markdown reports. */
    static final class Markdown {
        /** "12.3 (min 11.0, max 15.2, n=5)", each number possibly followed by a unit. */
        private static final Pattern STATS = Pattern.compile(
                "(-?[0-9][0-9.]*)\\s*[a-zA-Z%/]*\\s*\\(min (-?[0-9][0-9.]*)\\s*[a-zA-Z%/]*, max (-?[0-9][0-9.]*)\\s*[a-zA-Z%/]*, n=(\\d+)\\)");
        private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");

        private Markdown() {
        }

        /** The cells of the first table row matching {@code lineRegex} (cell 0 is the first column). */
        static Optional<List<String>> row(String md, String lineRegex) {
            Pattern p = Pattern.compile(lineRegex, Pattern.CASE_INSENSITIVE);
            for (String line : md.split("\n")) {
                String l = line.strip();
                if (l.startsWith("|") && p.matcher(l).find()) {
                    String inner = l.substring(1, l.endsWith("|") ? l.length() - 1 : l.length());
                    return Optional.of(Arrays.stream(inner.split("\\|", -1)).map(String::strip).toList());
                }
            }
            return Optional.empty();
        }

        /** The text under the first "## " heading containing {@code heading}, up to the next one. */
        static Optional<String> section(String md, String heading) {
            String[] parts = md.split("\n(?=## )");
            for (String part : parts) {
                if (part.startsWith("## ") && part.lines().findFirst().orElse("").contains(heading)) {
                    return Optional.of(part);
                }
            }
            return Optional.empty();
        }

        static Optional<Stats> stats(List<String> cells, int index) {
            if (index >= cells.size()) {
                return Optional.empty();
            }
            Matcher m = STATS.matcher(cells.get(index));
            if (!m.find()) {
                return Optional.empty();
            }
            return Optional.of(new Stats(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                    Double.parseDouble(m.group(3)), Integer.parseInt(m.group(4))));
        }

        static Optional<Double> number(List<String> cells, int index) {
            if (index >= cells.size()) {
                return Optional.empty();
            }
            Matcher m = NUMBER.matcher(cells.get(index));
            return m.find() ? Optional.of(Double.parseDouble(m.group())) : Optional.empty();
        }
    }

    /** What the report says about the machine and the code. */
    static final class Machine {
        private Machine() {
        }

        static String describe() {
            String cpu = read("/proc/cpuinfo").lines().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown CPU");
            String mem = read("/proc/meminfo").lines().filter(l -> l.startsWith("MemTotal")).findFirst()
                    .map(l -> String.format(Locale.ROOT, "%.1f GB RAM", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0))
                    .orElse("unknown RAM");
            return String.format(Locale.ROOT, "%s, %d cores available to the JVM, %s, Linux %s", cpu,
                    Runtime.getRuntime().availableProcessors(), mem, read("/proc/sys/kernel/osrelease").strip());
        }

        static String git() {
            String commit = exec("git", "rev-parse", "--short", "HEAD");
            String dirty = exec("git", "status", "--porcelain", "--untracked-files=no");
            String branch = exec("git", "rev-parse", "--abbrev-ref", "HEAD");
            return "commit " + commit.strip() + " on " + branch.strip() + (dirty.isBlank() ? "" : " with uncommitted changes");
        }

        private static String read(String file) {
            try {
                return Files.readString(Path.of(file));
            } catch (IOException e) {
                return "";
            }
        }

        private static String exec(String... command) {
            try {
                Process p = new ProcessBuilder(command).directory(ProjectLayout.root().toFile()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return p.waitFor() == 0 ? out : "unknown";
            } catch (IOException | InterruptedException e) {
                return "unknown";
            }
        }
    }

    private static double firstNumber(String s) {
        Matcher m = Markdown.NUMBER.matcher(s);
        return m.find() ? Double.parseDouble(m.group()) : 0;
    }

}
