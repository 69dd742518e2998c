package io.sandplane.simulator.service;

import java.util.ArrayList;
import java.util.List;

/** A PVE worker task: its UPID parts, state, exit status and log. Guarded by the {@link Cluster} lock. */
public final class Task {

    final String upid;
    final String node;
    final int pid;
    final long pstart;
    final long starttime;
    final String type;
    final String id;
    /** The full user as in the UPID: {@code user@realm!tokenid} when started by a token. */
    final String user;
    final List<String> log = new ArrayList<>();
    boolean running = true;
    String exitstatus;
    long endtime;
    /** Called when the task is stopped from outside (DELETE …/tasks/{upid}): undo its effect. */
    Runnable onAbort;
    /** Completes when the task stops, however it ends. */
    final java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();

    Task(String node, int pid, long pstart, long starttime, String type, String id, String user) {
        this.node = node;
        this.pid = pid;
        this.pstart = pstart;
        this.starttime = starttime;
        this.type = type;
        this.id = id;
        this.user = user;
        this.upid = "UPID:%s:%08X:%08X:%08X:%s:%s:%s:".formatted(node, pid, pstart, starttime, type, id, user);
    }

    public String upid() {
        return upid;
    }

    public boolean running() {
        return running;
    }

    public String exitstatus() {
        return exitstatus;
    }
}
