package io.sandplane.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The one entry point: {@code Bench <scenario>|all [args]} ({@code bench/run} calls it). Waits for a
 * quiet machine if asked ({@code --quiet-below L}, default 1.0; {@code --quiet-wait-minutes N}, default
 * the scenario's own, mostly 0), then runs the scenario in this JVM. Exits non-zero if it failed, and
 * exits at all: service processes and HTTP clients leave non-daemon threads behind.
 */
public final class Bench {

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
        List<Scenario> chosen = argv[0].equals("all") ? SCENARIOS : List.of(scenario(argv[0]));
        int exit = 0;
        for (Scenario scenario : chosen) {
            System.out.println("== " + scenario.name() + (args.values().isEmpty() ? "" : " " + args));
            try {
                scenario.run(new BenchRun(args, quietWait(scenario, args)));
            } catch (Exception | Error e) {
                e.printStackTrace();
                exit = 1;
            }
        }
        System.exit(exit);
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
