package io.sandplane.reaper.rest;

import io.sandplane.model.api.ReaperApi;
import io.sandplane.model.api.ReaperPassReport;
import io.sandplane.model.api.ReaperStatus;
import io.sandplane.reaper.config.ReaperConfig;
import io.sandplane.reaper.service.Leadership;
import io.sandplane.reaper.service.ReconcilePass;
import io.smallrye.common.annotation.RunOnVirtualThread;

/** Status and on-demand passes, under /internal (internal token required). */
@RunOnVirtualThread
public class ReaperResource implements ReaperApi {

    private final ReconcilePass pass;
    private final Leadership leadership;
    private final ReaperConfig config;

    public ReaperResource(ReconcilePass pass, Leadership leadership, ReaperConfig config) {
        this.pass = pass;
        this.leadership = leadership;
        this.config = config;
    }

    @Override
    public ReaperStatus status() {
        return new ReaperStatus(leadership.instance(), leadership.isLeader(), leadership.currentLeader().orElse(null),
                leadership.leaderSince().orElse(null), config.dryRun(), config.interval().toMillis(),
                pass.lastSuccessAt().orElse(null), pass.lastReport().orElse(null));
    }

    @Override
    public ReaperPassReport runPass(boolean dryRun) {
        return pass.now(config.policy(), dryRun);
    }
}
