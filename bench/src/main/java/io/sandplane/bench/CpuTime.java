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

    /** Milliseconds of CPU used so far by {@code root} and its living descendants. */
    public static long ofTree(long root) {
        Map<Long, List<Long>> children = new HashMap<>();
        Map<Long, Long> ticks = new HashMap<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path proc : procs) {
                try {
                    String stat = Files.readString(proc.resolve("stat"));
                    // The command name (field 2) may contain spaces: fields after it start past the last ')'.
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long pid = Long.parseLong(proc.getFileName().toString());
                    long ppid = Long.parseLong(f[1]);
                    ticks.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                    children.computeIfAbsent(ppid, k -> new ArrayList<>()).add(pid);
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc", e);
        }
        long total = 0;
        List<Long> todo = new ArrayList<>(List.of(root));
        while (!todo.isEmpty()) {
            long pid = todo.removeLast();
            total += ticks.getOrDefault(pid, 0L);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return total * 1000 / TICKS_PER_SECOND;
    }
}
