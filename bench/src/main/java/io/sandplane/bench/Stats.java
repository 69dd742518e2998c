package io.sandplane.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Summary of repeated measurements, reported as median with min and max (the project's convention). */
public record Stats(double median, double min, double max, int runs) {

    public static Stats of(List<Double> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Stats(median, sorted.getFirst(), sorted.getLast(), n);
    }

    /** The p-th percentile (0-100) of samples, nearest-rank. */
    public static double percentile(List<Double> samples, double p) {
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /** "12.3 (min 11.0, max 15.2, n=5)" with the given number format. */
    public String format(String numberFormat) {
        return String.format(Locale.ROOT, numberFormat + " (min " + numberFormat + ", max " + numberFormat + ", n=%d)", median, min, max, runs);
    }
}
