package io.sandplane.reaper.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.sandplane.model.api.ReaperPassReport;
import io.sandplane.reaper.decision.ReapAction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reaper's Prometheus metrics ({@code /q/metrics}):
 * <ul>
 * <li>{@code reaper_actions_total{rule,action,outcome}}: what the passes did;</li>
 * <li>{@code reaper_pass_duration_seconds{outcome}}: how long passes take;</li>
 * <li>{@code reaper_rows_seen}, {@code reaper_guests_seen}, {@code reaper_nodes_unlisted}: the last observation;</li>
 * <li>{@code reaper_last_success_timestamp_seconds}: when the last pass succeeded (epoch seconds);</li>
 * <li>{@code reaper_cap_reached} (1 when the last pass hit the cap on destructive actions: an alert) and
 * {@code reaper_cap_hits_total};</li>
 * <li>{@code reaper_actions_deferred}, {@code reaper_holds}: what the last pass left for later;</li>
 * <li>{@code reaper_leader}: 1 on the replica that acts;</li>
 * <li>{@code reaper_isolation_checks_total{result}} ({@code isolated}, {@code problem}, {@code failed}): the isolation
 * audit's checks; {@code reaper_isolation_problems_reported_total}: problems newly found (an alert: a guest's firewall
 * was switched off or its address left the sandbox network).</li>
 * </ul>
 */
// Eager: a standby that never runs a pass still exports reaper_leader 0 and the rest.
@Startup
@ApplicationScoped
public class ReaperMetrics {

    private final MeterRegistry registry;
    private final AtomicLong rowsSeen = new AtomicLong();
    private final AtomicLong guestsSeen = new AtomicLong();
    private final AtomicLong nodesUnlisted = new AtomicLong();
    private final AtomicLong lastSuccessEpochSeconds = new AtomicLong();
    private final AtomicLong capReached = new AtomicLong();
    private final AtomicLong deferred = new AtomicLong();
    private final AtomicLong holds = new AtomicLong();
    private final Counter capHits;
    private final List<Meter> gauges = new ArrayList<>();

    public ReaperMetrics(MeterRegistry registry, Leadership leadership) {
        this.registry = registry;
        gauge("reaper.rows.seen", rowsSeen);
        gauge("reaper.guests.seen", guestsSeen);
        gauge("reaper.nodes.unlisted", nodesUnlisted);
        gauge("reaper.last.success.timestamp.seconds", lastSuccessEpochSeconds);
        gauge("reaper.cap.reached", capReached);
        gauge("reaper.actions.deferred", deferred);
        gauge("reaper.holds", holds);
        // Strong reference: a gauge holds its object weakly, and nothing else holds this one.
        gauges.add(Gauge.builder("reaper.leader", leadership, l -> l.isLeader() ? 1 : 0).strongReference(true)
                .register(registry));
        this.capHits = Counter.builder("reaper.cap.hits")
                .description("passes that wanted more destructive actions than the cap").register(registry);
    }

    private void gauge(String name, AtomicLong value) {
        gauges.add(Gauge.builder(name, value, AtomicLong::doubleValue).strongReference(true).register(registry));
    }

    /**
     * Gauges read this instance's state: they leave with it, so that a new instance in the same JVM
     * (a restart in tests) registers its own instead of finding these.
     */
    @PreDestroy
    void unregister() {
        gauges.forEach(registry::remove);
        gauges.clear();
    }

    public void action(ReapAction action, ReaperPassReport.ActionOutcome outcome) {
        registry.counter("reaper.actions", "rule", action.rule().id(), "action", action.verb(),
                "outcome", outcome.name().toLowerCase(Locale.ROOT).replace('_', '-')).increment();
    }

    public void observed(int rows, int guests, int unlisted) {
        rowsSeen.set(rows);
        guestsSeen.set(guests);
        nodesUnlisted.set(unlisted);
    }

    public void decided(boolean capWasReached, int deferredActions, int heldActions) {
        capReached.set(capWasReached ? 1 : 0);
        if (capWasReached) {
            capHits.increment();
        }
        deferred.set(deferredActions);
        holds.set(heldActions);
    }

    public void isolation(ReaperPassReport.IsolationAudit audit) {
        registry.counter("reaper.isolation.checks", "result", "isolated").increment(audit.checked() - audit.problems());
        registry.counter("reaper.isolation.checks", "result", "problem").increment(audit.problems());
        registry.counter("reaper.isolation.checks", "result", "failed").increment(audit.failed());
        registry.counter("reaper.isolation.problems.reported").increment(audit.reported());
    }

    public void passed(ReaperPassReport.Outcome outcome, Duration duration, java.time.Instant finishedAt) {
        Timer.builder("reaper.pass.duration").tag("outcome", outcome.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .register(registry).record(duration);
        if (outcome == ReaperPassReport.Outcome.SUCCEEDED) {
            lastSuccessEpochSeconds.set(finishedAt.getEpochSecond());
        }
    }
}
