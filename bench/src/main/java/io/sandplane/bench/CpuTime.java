package io.sandplane.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time (user + system) of a process and all its descendants, from /proc: what a piece of work
 * cost, independent of how busy the machine was while it ran. Linux only.
 */
public final class CpuTime {

    /** USER_HZ: the unit of /proc/[pid]/stat times; 100 on every mainstream Linux. */
    private static final long TICKS_PER_SECOND = 100;

    private CpuTime() {
    }

    /** The fields of /proc/[pid]/stat after the command name, which may contain spaces: index 1 is the parent, 11 and 12 user and system ticks. */
    static String[] statFields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** User and system CPU seconds of a process and its descendants so far. */
    record Split(double userSeconds, double systemSeconds) {
        Split minus(Split before) {
            return new Split(userSeconds - before.userSeconds, systemSeconds - before.systemSeconds);
        }
    }

    /** Milliseconds of CPU used so far by {@code root} and its living descendants. */
    public static long ofTree(long root) {
        Split split = splitOfTrees(List.of(root));
        return Math.round((split.userSeconds() + split.systemSeconds()) * 1000);
    }

    /** User and system time, separately, of the trees under {@code roots} (e.g. nginx's master and its workers). */
    static Split splitOfTrees(List<Long> roots) {
        Map<Long, List<Long>> children = new HashMap<>();
        Map<Long, long[]> ticks = new HashMap<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path proc : procs) {
                try {
                    String[] f = statFields(Files.readString(proc.resolve("stat")));
                    long pid = Long.parseLong(proc.getFileName().toString());
                    ticks.put(pid, new long[] { Long.parseLong(f[11]), Long.parseLong(f[12]) });
                    children.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>()).add(pid);
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc", e);
        }
        long user = 0;
        long system = 0;
        List<Long> todo = new ArrayList<>(roots);
        while (!todo.isEmpty()) {
            long pid = todo.removeLast();
            long[] t = ticks.getOrDefault(pid, new long[2]);
            user += t[0];
            system += t[1];
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return new Split((double) user / TICKS_PER_SECOND, (double) system / TICKS_PER_SECOND);
    }

    /** The parent of a process. */
    static long parentOf(long pid) {
        try {
            return Long.parseLong(statFields(Files.readString(Path.of("/proc/" + pid + "/stat")))[1]);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/stat", e);
        }
    }
}
