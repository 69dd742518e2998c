package io.sandplane.reaper.service;

import io.sandplane.model.api.GuestInventory;
import io.sandplane.model.api.ReaperPassReport;
import io.sandplane.model.api.ReaperPassReport.ActionOutcome;
import io.sandplane.model.api.ReaperPassReport.Outcome;
import io.sandplane.reaper.client.ProvisionerClient;
import io.sandplane.reaper.config.ReaperConfig;
import io.sandplane.reaper.decision.GuestIndex;
import io.sandplane.reaper.decision.Hold;
import io.sandplane.reaper.decision.Observation;
import io.sandplane.reaper.decision.ReapAction;
import io.sandplane.reaper.decision.ReapDecision;
import io.sandplane.reaper.decision.ReapPlan;
import io.sandplane.reaper.decision.ReapPolicy;
import io.sandplane.reaper.decision.SandboxRow;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import io.sandplane.model.observability.RequestIds;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * One reconcile pass: observe (rows, then one guest list per node through the provisioner), decide
 * (pure), act (thin), report. Only the leader runs it, and never two at once on one replica.
 */
@ApplicationScoped
public class ReconcilePass {

    private static final Logger LOG = Logger.getLogger(ReconcilePass.class);
    private static final int REPORTED_ACTIONS = 1000;
    private static final int HELD_EXAMPLES = 5;

    private final ReaperStore store;
    private final ProvisionerClient provisioner;
    private final ActionRunner runner;
    private final IsolationAudit isolationAudit;
    private final Leadership leadership;
    private final FailureBackoff backoff;
    private final ReaperMetrics metrics;
    private final ReaperConfig config;
    private final Clock clock;
    private final ReentrantLock running = new ReentrantLock();
    private final AtomicLong passes = new AtomicLong();
    private volatile ReaperPassReport lastReport;
    private volatile Instant lastSuccessAt;

    public ReconcilePass(ReaperStore store, ProvisionerClient provisioner, ActionRunner runner,
            IsolationAudit isolationAudit, Leadership leadership, FailureBackoff backoff, ReaperMetrics metrics,
            ReaperConfig config, Clock clock) {
        this.store = store;
        this.provisioner = provisioner;
        this.runner = runner;
        this.isolationAudit = isolationAudit;
        this.leadership = leadership;
        this.backoff = backoff;
        this.metrics = metrics;
        this.config = config;
        this.clock = clock;
    }

    /** The scheduled pass, with the configured policy; a standby only tries to take over. */
    public Optional<ReaperPassReport> scheduled() {
        if (!running.tryLock()) {
            return Optional.empty();
        }
        try {
            if (!leadership.lead()) {
                return Optional.empty();
            }
            return Optional.of(pass(config.policy(), config.dryRun()));
        } finally {
            running.unlock();
        }
    }

    /**
     * A pass now, on the leader; {@code dryRun} adds to the configured dry-run, it never lifts it.
     *
     * @throws NotLeaderException      on a standby
     * @throws PassInProgressException while another pass runs
     */
    public ReaperPassReport now(ReapPolicy policy, boolean dryRun) {
        if (!running.tryLock()) {
            throw new PassInProgressException();
        }
        try {
            if (!leadership.lead()) {
                throw new NotLeaderException(leadership.instance(), leadership.currentLeader().orElse(null));
            }
            return pass(policy, dryRun || config.dryRun());
        } finally {
            running.unlock();
        }
    }

    public Optional<ReaperPassReport> lastReport() {
        return Optional.ofNullable(lastReport);
    }

    public Optional<Instant> lastSuccessAt() {
        return Optional.ofNullable(lastSuccessAt);
    }

    private ReaperPassReport pass(ReapPolicy policy, boolean dryRun) {
        long number = passes.incrementAndGet();
        // An on-demand pass keeps its HTTP request's id; a scheduled one gets its own.
        String requestId = RequestIds.current();
        boolean ownId = requestId == null;
        if (ownId) {
            requestId = "reaper-" + leadership.instance().replaceAll("[^A-Za-z0-9._:\\-]", "-") + "-pass-" + number;
            MDC.put(RequestIds.MDC_KEY, requestId);
        }
        try {
            return pass(policy, dryRun, number, requestId);
        } finally {
            if (ownId) {
                MDC.remove(RequestIds.MDC_KEY);
            }
        }
    }

    private ReaperPassReport pass(ReapPolicy policy, boolean dryRun, long number, String requestId) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Outcome outcome;
        String error = null;
        Observation observation = null;
        ReapPlan plan = null;
        Timings timings = new Timings();
        List<Taken> taken = List.of();
        ReaperPassReport.IsolationAudit isolation = null;
        try {
            Observed observed = observe(backoff.waiting(number), timings);
            observation = observed.observation();
            GuestIndex guests = observed.guests();
            metrics.observed(observation.rows().size(), guests.guests().size(), guests.unlistedNodes().size());
            plan = ReapDecision.decide(observation, guests, policy, clock.instant());
            // Sightings are the reaper's own memory, kept in dry-run too so that its report shows the grace running out.
            store.updateSightings(plan.sightingsToSave(), plan.sightingsToForget());
            timings.lap(Timings.DECIDE);
            metrics.decided(plan.capReached(), plan.deferred().size(), plan.holds().size());
            if (plan.capReached()) {
                LOG.warnf("reaper: the rules ask for %d destructive actions, more than the cap of %d: acting on the %d most "
                        + "overdue and deferring %d. A wiped database or an empty guest list looks like this; check "
                        + "before raising REAPER_MAX_DESTRUCTIVE_ACTIONS", plan.destructiveWanted(), plan.cap(), plan.cap(),
                        plan.deferred().size());
            }
            Instant deadline = started.plus(config.interval());
            List<Taken> results = new ArrayList<>(runner.run(plan.actions(), new ActionRunner.Context(guests, policy, dryRun,
                    deadline, number, requestId)));
            for (ReapAction action : plan.deferred()) {
                results.add(new Taken(action, ActionOutcome.DEFERRED, "over the cap of " + plan.cap() + " destructive actions"));
                metrics.action(action, ActionOutcome.DEFERRED);
            }
            taken = results;
            timings.lap(Timings.ACT);
            outcome = taken.stream().anyMatch(t -> t.outcome() == ActionOutcome.ABORTED) ? Outcome.ABORTED : Outcome.SUCCEEDED;
            if (outcome == Outcome.SUCCEEDED) {
                // After the rules: deleting and marking LOST come first, and an audit cut short by the deadline
                // resumes next pass with the sandboxes it did not reach.
                isolation = isolationAudit.run(deadline, dryRun);
                timings.lap(Timings.AUDIT);
            }
        } catch (RuntimeException e) {
            outcome = Outcome.FAILED;
            error = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.warnf("reaper: pass %d failed: %s", number, error);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        Instant finished = clock.instant();
        metrics.passed(outcome, took, finished);
        if (outcome == Outcome.SUCCEEDED) {
            lastSuccessAt = finished;
        }
        backoff.forgetOlderThan(number);
        ReaperPassReport report = report(started, took, timings.phases(), outcome, error, dryRun, observation, plan, taken,
                isolation);
        lastReport = report;
        LOG.info(summary(number, report, taken));
        return report;
    }

    private record Observed(Observation observation, GuestIndex guests) {
    }

    /** Wall-clock laps of one pass, for its report. */
    private static final class Timings {
        static final int ROWS = 0;
        static final int GUESTS = 1;
        static final int REST = 2;
        static final int DECIDE = 3;
        static final int ACT = 4;
        static final int AUDIT = 5;
        private final long[] ms = new long[6];
        private long last = System.nanoTime();

        void lap(int phase) {
            long now = System.nanoTime();
            ms[phase] = (now - last) / 1_000_000;
            last = now;
        }

        ReaperPassReport.Phases phases() {
            return new ReaperPassReport.Phases(ms[ROWS], ms[GUESTS], ms[REST], ms[DECIDE], ms[ACT], ms[AUDIT]);
        }
    }

    private Observed observe(Set<String> backingOff, Timings timings) {
        // Rows first, guests second: a guest of any sandbox that existed at the first read is in the list.
        List<SandboxRow> rows = store.liveRows();
        timings.lap(Timings.ROWS);
        GuestInventory inventory = provisioner.guests();
        timings.lap(Timings.GUESTS);
        if (inventory == null || inventory.nodes() == null) {
            throw new IllegalStateException("the provisioner answered without a guest inventory");
        }
        Set<String> liveIds = new HashSet<>();
        Set<Integer> liveVmids = new HashSet<>();
        for (SandboxRow row : rows) {
            liveIds.add(row.id());
            if (row.vmid() != null) {
                liveVmids.add(row.vmid());
            }
        }
        Set<String> askIds = new HashSet<>();
        Set<Integer> askVmids = new HashSet<>();
        GuestIndex guests = new GuestIndex(inventory);
        for (GuestIndex.TaggedGuest g : guests.guests()) {
            if (!g.tags().managed()) {
                continue;
            }
            g.tags().sandboxId().filter(id -> !liveIds.contains(id)).ifPresent(askIds::add);
            if (!liveVmids.contains(g.guest().vmid())) {
                askVmids.add(g.guest().vmid());
            }
        }
        ReaperStore.AfterGuests after = store.afterGuests(askIds, askVmids);
        Observed observed = new Observed(new Observation(rows, inventory, after.rowsNamedByGuests(), after.sightings(),
                after.vmidHoldings(), after.templateVmids(), backingOff), guests);
        timings.lap(Timings.REST);
        return observed;
    }

    private static ReaperPassReport report(Instant started, Duration took, ReaperPassReport.Phases phases, Outcome outcome,
            String error, boolean dryRun, Observation observation, ReapPlan plan, List<Taken> taken,
            ReaperPassReport.IsolationAudit isolation) {
        List<ReaperPassReport.NodeReport> nodes = new ArrayList<>();
        int guests = 0;
        if (observation != null) {
            for (GuestInventory.NodeGuests n : observation.inventory().nodes()) {
                int count = n.listed() && n.guests() != null ? n.guests().size() : 0;
                guests += count;
                nodes.add(new ReaperPassReport.NodeReport(n.node(), n.listed(), count, n.error()));
            }
        }
        List<ReaperPassReport.ActionReport> actions = taken.stream().limit(REPORTED_ACTIONS)
                .map(t -> new ReaperPassReport.ActionReport(t.action().rule().id(), t.action().verb(), t.action().target(),
                        t.action().sandboxId().orElse(null), t.action().reason(), t.outcome(), t.detail()))
                .toList();
        Map<String, List<Hold>> held = new LinkedHashMap<>();
        if (plan != null) {
            for (Hold h : plan.holds()) {
                held.computeIfAbsent(h.rule().id(), r -> new ArrayList<>()).add(h);
            }
        }
        List<ReaperPassReport.HeldReport> heldReports = held.entrySet().stream()
                .map(e -> new ReaperPassReport.HeldReport(e.getKey(), e.getValue().size(), e.getValue().stream()
                        .limit(HELD_EXAMPLES).map(h -> h.target() + ": " + h.why()).toList()))
                .toList();
        return new ReaperPassReport(started, took.toMillis(), phases, outcome, error, dryRun,
                observation == null ? 0 : observation.rows().size(), guests, nodes,
                plan == null ? 0 : plan.destructiveWanted(), plan == null ? 0 : plan.cap(), plan != null && plan.capReached(),
                actions, Math.max(0, taken.size() - REPORTED_ACTIONS), heldReports, isolation);
    }

    private static String summary(long number, ReaperPassReport r, List<Taken> taken) {
        Map<ActionOutcome, Integer> counts = new EnumMap<>(ActionOutcome.class);
        taken.forEach(t -> counts.merge(t.outcome(), 1, Integer::sum));
        long listed = r.nodes().stream().filter(ReaperPassReport.NodeReport::listed).count();
        int held = r.held().stream().mapToInt(ReaperPassReport.HeldReport::count).sum();
        StringBuilder s = new StringBuilder("reaper: ").append(r.dryRun() ? "dry-run pass " : "pass ").append(number)
                .append(' ').append(r.outcome().name().toLowerCase(java.util.Locale.ROOT)).append(" in ").append(r.durationMs())
                .append(" ms: ").append(r.rowsSeen()).append(" rows, ").append(r.guestsSeen()).append(" guests, nodes ")
                .append(listed).append('/').append(r.nodes().size()).append(" listed");
        if (r.nodes().stream().anyMatch(n -> !n.listed())) {
            s.append(" (not listed: ").append(String.join(", ", r.nodes().stream().filter(n -> !n.listed())
                    .map(ReaperPassReport.NodeReport::node).toList())).append(')');
        }
        s.append("; actions ").append(counts.isEmpty() ? "none" : counts.toString().toLowerCase(java.util.Locale.ROOT))
                .append("; held ").append(held);
        if (r.capReached()) {
            s.append("; CAP REACHED (").append(r.destructiveWanted()).append(" destructive wanted, cap ").append(r.cap())
                    .append(')');
        }
        if (r.isolation() != null && (r.isolation().checked() > 0 || r.isolation().failed() > 0)) {
            ReaperPassReport.IsolationAudit a = r.isolation();
            s.append("; isolation checked ").append(a.checked()).append(", problems ").append(a.problems())
                    .append(" (new ").append(a.reported()).append(", cleared ").append(a.cleared()).append("), unchecked ")
                    .append(a.failed());
        }
        if (r.error() != null) {
            s.append("; error: ").append(r.error());
        }
        ReaperPassReport.Phases p = r.phases();
        s.append(" (ms: rows ").append(p.rowsMs()).append(", guests ").append(p.guestsMs()).append(", rest ").append(p.restMs())
                .append(", decide ").append(p.decideMs()).append(", act ").append(p.actMs()).append(", audit ")
                .append(p.auditMs()).append(')');
        return s.toString();
    }
}
