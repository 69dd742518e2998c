package io.sandplane.reaper.service;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/** Every interval: the leader runs a pass, a standby tries to become the leader. */
@ApplicationScoped
public class ReaperLoop {

    private final ReconcilePass pass;

    public ReaperLoop(ReconcilePass pass) {
        this.pass = pass;
    }

    @Scheduled(identity = "reaper-pass", every = "${reaper.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        pass.scheduled();
    }
}
