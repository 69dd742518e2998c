package io.sandplane.bench;

import java.util.Arrays;

/** The {@code --name value} options the benchmarks take. */
final class BenchArgs {

    private BenchArgs() {
    }

    static String stringArg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    static int intArg(String[] args, String name, int fallback) {
        String value = stringArg(args, name, null);
        return value == null ? fallback : Integer.parseInt(value);
    }

    static boolean hasFlag(String[] args, String name) {
        return Arrays.asList(args).contains(name);
    }
}
