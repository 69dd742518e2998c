package io.sandplane.bench;

import io.sandplane.devsupport.ProjectLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The one entry point: {@code Bench <scenario>|all [args]} ({@code bench/run} calls it). Waits for a
 * quiet machine if asked ({@code --quiet-below L}, default 1.0; {@code --quiet-wait-minutes N}, default
 * the scenario's own, mostly 0), then runs the scenario in this JVM. Exits non-zero if it failed, and
 * exits at all: service processes and HTTP clients leave non-daemon threads behind. {@code all} runs each
 * scenario in a JVM of its own.
 */
public final class Bench {

    static {
        // The topology sends requests to the proxy with the Host header its routes match (port-N-vm-M.<domain>);
        // java.net.http reads this once, when its first client is built, and the scenarios build theirs on creation.
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    }

    /** Every scenario, in the order {@code all} and the report run them. */
    static final List<Scenario> SCENARIOS = List.of(new SimulatorScenario(), new ProvisionerScenario(), new ApiScenario(),
            new ProxyScenario(), new ReaperScenario(), new TopologyScenario());

    static final Scenario REPORT = new ReportScenario();

    private Bench() {
    }

    public static void main(String[] argv) {
        if (argv.length == 0) {
            System.err.println("usage: bench/run <" + names() + "|report|all> [args...]");
            System.exit(2);
        }
        BenchArgs args = BenchArgs.of(Arrays.copyOfRange(argv, 1, argv.length));
        int exit = 0;
        try {
            if (argv[0].equals("all")) {
                // Each in a JVM of its own, as before: the scenarios share the JVM-wide PostgreSQL and simulator.
                for (Scenario scenario : SCENARIOS) {
                    int code = new ProcessBuilder(command(scenario.name(), args.values())).inheritIO().start().waitFor();
                    exit = Math.max(exit, code);
                }
            } else {
                Scenario scenario = scenario(argv[0]);
                System.out.println("== " + scenario.name() + (args.values().isEmpty() ? "" : " " + args));
                scenario.run(new BenchRun(args, quietWait(scenario, args)));
            }
        } catch (Exception | Error e) {
            e.printStackTrace();
            exit = 1;
        }
        System.exit(exit);
    }

    /** The command that runs one scenario in a JVM of its own, with this one's class path. */
    static List<String> command(String scenario, List<String> args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dsandplane.project.root=" + ProjectLayout.root(), "-cp", System.getProperty("java.class.path"),
                Bench.class.getName(), scenario));
        command.addAll(args);
        return command;
    }

    static Scenario scenario(String name) {
        if (name.equals(REPORT.name())) {
            return REPORT;
        }
        return SCENARIOS.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no scenario " + name + "; there are " + names() + " and report"));
    }

    private static String names() {
        return SCENARIOS.stream().map(Scenario::name).collect(Collectors.joining("|"));
    }

    private static QuietMachine.Wait quietWait(Scenario scenario, BenchArgs args) throws InterruptedException {
        // The older spellings (api: --quiet-below alone; proxy: --wait-quiet-minutes; report: --quiet-load,
        // --max-wait-minutes) still work, so that the commands in earlier reports still run.
        double below = args.decimal("--quiet-below", args.decimal("--quiet-load", 1.0));
        int fallback = args.has("--quiet-below") ? 60 : scenario.defaultQuietWaitMinutes();
        int minutes = args.integer("--quiet-wait-minutes", args.integer("--wait-quiet-minutes", args.integer("--max-wait-minutes", fallback)));
        if (minutes <= 0 || args.has("--no-wait") || args.has("--quick")) {
            return QuietMachine.Wait.skipped();
        }
        return QuietMachine.await(below, Duration.ofMinutes(minutes));
    }
}
