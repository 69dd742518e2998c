package io.sandplane.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A scenario's command line: {@code --name value} options, {@code --flag}s and, for the scenarios that
 * took them before they had options, leading positional numbers ({@code bench/run reaper 9 10000}).
 */
record BenchArgs(List<String> values) {

    BenchArgs {
        values = List.copyOf(values);
    }

    static BenchArgs of(String... args) {
        return new BenchArgs(Arrays.asList(args));
    }

    String string(String name, String fallback) {
        for (int i = 0; i < values.size() - 1; i++) {
            if (values.get(i).equals(name)) {
                return values.get(i + 1);
            }
        }
        return fallback;
    }

    int integer(String name, int fallback) {
        String value = string(name, null);
        return value == null ? fallback : Integer.parseInt(value);
    }

    double decimal(String name, double fallback) {
        String value = string(name, null);
        return value == null ? fallback : Double.parseDouble(value);
    }

    boolean has(String flag) {
        return values.contains(flag);
    }

    /** The {@code index}-th of the plain words before the first {@code --option}. */
    int positional(int index, int fallback) {
        List<String> plain = new ArrayList<>();
        for (String v : values) {
            if (v.startsWith("--")) {
                break;
            }
            plain.add(v);
        }
        return index < plain.size() ? Integer.parseInt(plain.get(index)) : fallback;
    }

    @Override
    public String toString() {
        return String.join(" ", values);
    }
}
