package io.sandplane.reaper.config;

import io.sandplane.reaper.decision.ReapPolicy;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The reaper's settings; each is also an environment variable, e.g. {@code REAPER_INTERVAL=30s}. */
@ConfigMapping(prefix = "reaper")
public interface ReaperConfig {

    /** Time between passes; a standby tries to take over at the same pace. */
    @WithDefault("30s")
    Duration interval();

    /** Decide and report, act on nothing. */
    @WithDefault("false")
    boolean dryRun();

    /** How long a tagged guest must be seen without an owner before it is deleted. */
    @WithDefault("10m")
    Duration orphanGrace();

    /** How long a sandbox may stay paused or stopped before it is deleted (the seed's cron used 7 days). */
    @WithDefault("7d")
    Duration retention();

    /** How long a start may go without progress (a recorded step) before it is finished or rolled back. */
    @WithDefault("15m")
    Duration provisioningDeadline();

    /** How long a delete may take before it is tried again. */
    @WithDefault("10m")
    Duration deletingDeadline();

    /** At most this many destructive actions (deletes, recoveries, LOST) per pass. */
    @WithDefault("50")
    int maxDestructiveActions();

    /** Provisioner calls in flight at once during a pass. */
    @WithDefault("8")
    int concurrency();

    /**
     * Running sandboxes whose isolation (firewall on, address inside the sandbox network) each pass checks, the ones
     * checked longest ago first; 0 turns the audit off. Each check is a few reads of the hypervisor, so the default
     * checks every one of 1,000 running sandboxes about every 25 minutes at the default interval.
     */
    @WithDefault("20")
    int isolationAuditBatch();

    /** This replica's name in logs, status and {@code pg_stat_activity}; default host name and PID. */
    Optional<String> instanceId();

    default ReapPolicy policy() {
        return new ReapPolicy(orphanGrace(), retention(), provisioningDeadline(), deletingDeadline(), maxDestructiveActions());
    }
}
