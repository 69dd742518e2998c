package io.sandplane.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's load average from /proc, which every report records: other work on the cores skews figures. */
final class LoadAverage {

    private LoadAverage() {
    }

    /** "1-min / 5-min / 15-min", or "unknown" off Linux. */
    static String all() {
        try {
            String[] parts = read().split("\\s+");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The 1-minute figure, or "?" off Linux. */
    static String oneMinute() {
        try {
            return read().split("\\s+")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** The 1-minute figure as a number; 0 off Linux (nothing to wait for there). */
    static double oneMinuteValue() {
        try {
            return Double.parseDouble(oneMinute());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String read() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }
}
