package io.sandplane.simulator.service;

import io.sandplane.simulator.guest.GuestNetwork;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One guest's state: its config (as PVE's config file holds it, values as strings), whether it
 * runs, its snapshots, and the loopback address it answers on. Guarded by the {@link Cluster} lock.
 */
public final class Guest {

    final int vmid;
    final GuestType type;
    String node;
    final LinkedHashMap<String, String> config;
    final LinkedHashMap<String, Snapshot> snapshots = new LinkedHashMap<>();
    boolean running;
    /** QEMU only: paused by a plain suspend (QMP stop), still "running". */
    boolean paused;
    Instant startedAt;
    /** The guest's loopback address while it has one; kept across restarts, released on delete. */
    String address;
    /** The execd bearer token read from the config's env at start, like cmux's boot hook writes it. */
    String execToken;
    final Path workDir;
    boolean deleted;
    /** Bumped on every start/stop so that a late listener binding knows it lost the race. */
    long generation;
    /** The listeners of its latest start (bound, binding or closed); null before the first start. */
    GuestNetwork.Listeners listeners;
    /** Sizes of volumes detached to {@code unusedN} (their config entry carries no size). */
    final Map<String, Long> detachedSizes = new HashMap<>();

    Guest(int vmid, GuestType type, String node, Map<String, String> config, Path workDir) {
        this.vmid = vmid;
        this.type = type;
        this.node = node;
        this.config = new LinkedHashMap<>(config);
        this.workDir = workDir;
    }

    public int vmid() {
        return vmid;
    }

    public GuestType type() {
        return type;
    }

    public String node() {
        return node;
    }

    public boolean running() {
        return running;
    }

    public String address() {
        return address;
    }

    public Path workDir() {
        return workDir;
    }

    public String execToken() {
        return execToken;
    }

    public Map<String, String> config() {
        return config;
    }

    String lock() {
        return config.get("lock");
    }

    boolean isTemplate() {
        return "1".equals(config.get("template"));
    }

    /** Memory in MiB: LXC's {@code memory}, QEMU's {@code memory} property string ({@code [current=]N}). */
    long memoryMiB() {
        return Cluster.number(config.get("memory"), type == GuestType.LXC ? 512 : 2048);
    }

    /** {@code CT 200} or {@code VM 200}. */
    String label() {
        return type.word() + " " + vmid;
    }

    /** PVE's name: the hostname (LXC) or name (QEMU), else CT/VM plus the id. */
    String name() {
        String name = config.get(type == GuestType.LXC ? "hostname" : "name");
        return name == null ? type.word() + vmid : name.replaceAll("\\s", "");
    }

    record Snapshot(String name, Map<String, String> config, String description, long snaptime, String parent,
                    Path files) {
    }
}
