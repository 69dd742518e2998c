package io.sandplane.reaper.service;

import io.sandplane.model.api.ReaperPassReport.ActionOutcome;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.internal.InternalCallException;
import io.sandplane.reaper.client.ProvisionerClient;
import io.sandplane.reaper.config.ReaperConfig;
import io.sandplane.reaper.decision.GuestIndex;
import io.sandplane.reaper.decision.ReapAction;
import io.sandplane.reaper.decision.ReapDecision;
import io.sandplane.reaper.decision.ReapPolicy;
import io.sandplane.reaper.decision.SandboxRow;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import io.sandplane.model.observability.RequestIds;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Takes the decided actions: a thin, idempotent layer. Before each one it checks that this replica
 * still leads and that the pass is within its time budget, and reads the target again: an action
 * that is no longer due with the row as it is now is skipped, not taken. Sandbox actions go through
 * the provisioner; LOST and VMID releases are bookkeeping in the database.
 */
@ApplicationScoped
public class ActionRunner {

    private static final Logger LOG = Logger.getLogger(ActionRunner.class);

    /**
     * What a pass hands over with its actions.
     *
     * @param requestId the pass's request id, sent with every provisioner call so that its log lines
     *                  can be found ({@code X-Request-Id})
     */
    public record Context(GuestIndex guests, ReapPolicy policy, boolean dryRun, Instant deadline, long pass,
            String requestId) {
    }

    private final ProvisionerClient provisioner;
    private final ReaperStore store;
    private final Leadership leadership;
    private final FailureBackoff backoff;
    private final ReaperMetrics metrics;
    private final Clock clock;
    private final int concurrency;

    public ActionRunner(ProvisionerClient provisioner, ReaperStore store, Leadership leadership, FailureBackoff backoff,
            ReaperMetrics metrics, Clock clock, ReaperConfig config) {
        this.provisioner = provisioner;
        this.store = store;
        this.leadership = leadership;
        this.backoff = backoff;
        this.metrics = metrics;
        this.clock = clock;
        this.concurrency = Math.max(1, config.concurrency());
    }

    /** Takes the actions in order, a few at a time; the outcomes come back in the same order. */
    public List<Taken> run(List<ReapAction> actions, Context context) {
        AtomicBoolean leadershipLost = new AtomicBoolean();
        Semaphore slots = new Semaphore(concurrency);
        List<Future<Taken>> pending = new ArrayList<>(actions.size());
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (ReapAction action : actions) {
                slots.acquireUninterruptibly();
                pending.add(threads.submit(() -> {
                    MDC.put(RequestIds.MDC_KEY, context.requestId());
                    try {
                        return take(action, context, leadershipLost);
                    } finally {
                        MDC.remove(RequestIds.MDC_KEY);
                        slots.release();
                    }
                }));
            }
            List<Taken> taken = new ArrayList<>(actions.size());
            for (int i = 0; i < pending.size(); i++) {
                taken.add(outcomeOf(pending.get(i), actions.get(i)));
            }
            return taken;
        }
    }

    private Taken outcomeOf(Future<Taken> future, ReapAction action) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            return new Taken(action, ActionOutcome.FAILED, String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Taken(action, ActionOutcome.ABORTED, "interrupted");
        }
    }

    private Taken take(ReapAction action, Context context, AtomicBoolean leadershipLost) {
        Taken taken;
        if (leadershipLost.get()) {
            taken = new Taken(action, ActionOutcome.ABORTED, "this replica is no longer the leader");
        } else if (clock.instant().isAfter(context.deadline())) {
            taken = new Taken(action, ActionOutcome.DEFERRED, "the pass used up its time budget; next pass");
        } else if (!leadership.stillLeading()) {
            leadershipLost.set(true);
            taken = new Taken(action, ActionOutcome.ABORTED, "this replica is no longer the leader");
        } else {
            try {
                taken = execute(action, context);
            } catch (RuntimeException e) {
                // Anything unexpected (the database, a breaker that is open) fails this action, not the pass.
                taken = failed(action, context, e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
        metrics.action(action, taken.outcome());
        log(taken);
        return taken;
    }

    private Taken execute(ReapAction action, Context context) {
        return switch (action) {
            case ReapAction.Stop s -> viaProvisioner(s, s.id(), context, () -> provisioner.stop(s.id()));
            case ReapAction.Pause p -> viaProvisioner(p, p.id(), context, () -> provisioner.pause(p.id()));
            case ReapAction.Delete d -> viaProvisioner(d, d.id(), context, () -> provisioner.delete(d.id()));
            case ReapAction.Recover r -> viaProvisioner(r, r.id(), context, () -> provisioner.recover(r.id()));
            case ReapAction.MarkLost m -> markLost(m, context);
            case ReapAction.DeleteGuest g -> deleteGuest(g, context);
            case ReapAction.ReleaseVmid v -> releaseVmid(v, context);
        };
    }

    private Taken viaProvisioner(ReapAction action, String id, Context context, Supplier<SandboxState> call) {
        Optional<String> stale = stillDue(action, id, context);
        if (stale.isPresent()) {
            return new Taken(action, ActionOutcome.SKIPPED, stale.get());
        }
        if (context.dryRun()) {
            return new Taken(action, ActionOutcome.DRY_RUN, "");
        }
        store.recordAction(id, action, clock.instant());
        try {
            SandboxState state = call.get();
            backoff.succeeded(action.target());
            return new Taken(action, ActionOutcome.DONE, state == null || state.status() == null ? ""
                    : "now " + state.status() + (state.error() == null ? "" : " (" + state.error() + ")"));
        } catch (InternalCallException.Refused e) {
            if (e.targetChanged()) {
                return new Taken(action, ActionOutcome.SKIPPED, e.getMessage());
            }
            return failed(action, context, e.getMessage());
        }
    }

    private Taken markLost(ReapAction.MarkLost action, Context context) {
        Optional<String> stale = stillDue(action, action.id(), context);
        if (stale.isPresent()) {
            return new Taken(action, ActionOutcome.SKIPPED, stale.get());
        }
        if (context.dryRun()) {
            return new Taken(action, ActionOutcome.DRY_RUN, "");
        }
        return store.markLost(action, clock.instant())
                ? new Taken(action, ActionOutcome.DONE, "now LOST, VMID " + action.vmid() + " released")
                : new Taken(action, ActionOutcome.SKIPPED, "the row changed meanwhile");
    }

    private Taken deleteGuest(ReapAction.DeleteGuest action, Context context) {
        List<SandboxRow> owners = store.ownersOf(action.vmid(), action.sandboxTag());
        if (ReapDecision.whyUnowned(action.vmid(), action.sandboxTag(), owners).isEmpty()) {
            return new Taken(action, ActionOutcome.SKIPPED, "a live sandbox owns it now");
        }
        if (context.dryRun()) {
            return new Taken(action, ActionOutcome.DRY_RUN, "");
        }
        action.sandboxId().ifPresent(id -> store.recordAction(id, action, clock.instant()));
        try {
            provisioner.deleteGuest(action.node(), action.vmid());
        } catch (InternalCallException.Refused e) {
            if (e.status() == 404) {
                store.forgetSighting(action.node(), action.vmid());
                return new Taken(action, ActionOutcome.DONE, "already gone");
            }
            return e.targetChanged() ? new Taken(action, ActionOutcome.SKIPPED, e.getMessage())
                    : failed(action, context, e.getMessage());
        }
        store.forgetSighting(action.node(), action.vmid());
        backoff.succeeded(action.target());
        return new Taken(action, ActionOutcome.DONE, "guest destroyed");
    }

    private Taken releaseVmid(ReapAction.ReleaseVmid action, Context context) {
        if (context.dryRun()) {
            return new Taken(action, ActionOutcome.DRY_RUN, "");
        }
        return store.releaseVmid(action, clock.instant())
                ? new Taken(action, ActionOutcome.DONE, "released")
                : new Taken(action, ActionOutcome.SKIPPED, "released meanwhile, or its sandbox needs it again");
    }

    /** Empty when the rules, applied to the row as it is now, still ask for this action. */
    private Optional<String> stillDue(ReapAction action, String id, Context context) {
        Optional<SandboxRow> row = store.row(id);
        if (row.isEmpty()) {
            return Optional.of("the row is gone");
        }
        Optional<ReapAction> again = ReapDecision.forRow(row.get(), context.guests(), context.policy(), clock.instant())
                .action();
        if (again.isPresent() && again.get().getClass() == action.getClass() && again.get().rule() == action.rule()) {
            return Optional.empty();
        }
        return Optional.of("no longer due: the sandbox is " + row.get().status()
                + again.map(a -> " and now calls for " + a.rule().id() + " → " + a.verb()).orElse(""));
    }

    private Taken failed(ReapAction action, Context context, String why) {
        backoff.failed(action.target(), context.pass());
        // A dry-run writes nothing, not even about its own failures (they are in its report and log).
        action.sandboxId().filter(id -> !context.dryRun()).ifPresent(id -> {
            try {
                store.recordFailure(id, ReaperStore.eventDetail(action) + " — failed: " + why, clock.instant());
            } catch (RuntimeException e) {
                LOG.debugf("cannot record the failure on %s: %s", id, e.getMessage());
            }
        });
        return new Taken(action, ActionOutcome.FAILED, why);
    }

    private static void log(Taken taken) {
        ReapAction a = taken.action();
        switch (taken.outcome()) {
            case DONE -> LOG.infof("reaper: %s — done%s", a.describe(), suffix(taken.detail()));
            case DRY_RUN -> LOG.infof("reaper (dry-run): would %s", a.describe());
            case FAILED -> LOG.warnf("reaper: %s — failed: %s", a.describe(), taken.detail());
            case SKIPPED, DEFERRED, ABORTED -> LOG.debugf("reaper: %s — %s%s", a.describe(),
                    taken.outcome().name().toLowerCase(java.util.Locale.ROOT), suffix(taken.detail()));
        }
    }

    private static String suffix(String detail) {
        return detail == null || detail.isEmpty() ? "" : " (" + detail + ")";
    }
}
