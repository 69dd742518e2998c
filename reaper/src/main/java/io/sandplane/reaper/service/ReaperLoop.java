package io.sandplane.reaper.service;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.enterprise.context.ApplicationScoped;

/** Every interval: the leader runs a pass, a standby tries to become the leader. */
@ApplicationScoped
public class ReaperLoop {

    private final ReconcilePass pass;

    public ReaperLoop(ReconcilePass pass) {
        this.pass = pass;
    }

    // A pass waits on the database and the provisioner for as long as its actions take: a virtual thread, not a worker.
    @Scheduled(identity = "reaper-pass", every = "${reaper.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @RunOnVirtualThread
    void tick() {
        pass.scheduled();
    }
}
