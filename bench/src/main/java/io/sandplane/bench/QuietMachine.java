package io.sandplane.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * Waiting for a quiet machine before measuring: other work on the cores (test suites, builds) skews
 * every latency, so a run may first wait until the 1-minute load average drops below a threshold, and
 * its report says how that went.
 */
final class QuietMachine {

    /** The 1-minute load average moves slowly; polling more often only prints more. */
    static final Duration POLL = Duration.ofMinutes(2);

    private QuietMachine() {
    }

    /** How the wait went: whether the machine became quiet, after how long, at which load. */
    record Wait(boolean waited, boolean quiet, double below, double load, Duration took) {

        static Wait skipped() {
            return new Wait(false, false, 0, LoadAverage.oneMinuteValue(), Duration.ZERO);
        }

        /** One sentence for the report. */
        String describe() {
            if (!waited) {
                return "did not wait for a quiet machine";
            }
            return quiet
                    ? String.format(Locale.ROOT, "waited %d min for the 1-minute load average to drop below %.1f; it was %.2f "
                            + "when the measurements started", took.toMinutes(), below, load)
                    : String.format(Locale.ROOT, "**the machine never became quiet: after waiting %d min the 1-minute load "
                            + "average was still %.2f (wanted below %.1f); measured anyway, on a busy machine**",
                            took.toMinutes(), load, below);
        }
    }

    /** Waits until the load is below {@code below}, polling every {@link #POLL}, at most {@code max}. */
    static Wait await(double below, Duration max) throws InterruptedException {
        return await(below, max, LoadAverage::oneMinuteValue, Sleeper.REAL);
    }

    /** Sleeping, replaceable so that the decision can be tested without waiting minutes. */
    interface Sleeper {
        Sleeper REAL = d -> Thread.sleep(d);

        void sleep(Duration d) throws InterruptedException;
    }

    static Wait await(double below, Duration max, DoubleSupplier load, Sleeper sleeper) throws InterruptedException {
        Duration waited = Duration.ZERO;
        while (true) {
            double now = load.getAsDouble();
            if (now < below) {
                return new Wait(true, true, below, now, waited);
            }
            if (waited.compareTo(max) >= 0) {
                return new Wait(true, false, below, now, waited);
            }
            System.out.printf(Locale.ROOT, "1-minute load average %.2f (want < %.1f), waiting (%d of %d min) …%n", now, below,
                    waited.toMinutes(), max.toMinutes());
            Duration step = POLL.compareTo(max.minus(waited)) < 0 ? POLL : max.minus(waited);
            sleeper.sleep(step);
            waited = waited.plus(step);
        }
    }
}
