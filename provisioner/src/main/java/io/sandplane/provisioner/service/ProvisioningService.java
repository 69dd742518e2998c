package io.sandplane.provisioner.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.Team;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.provisioner.config.ProvisionerSettings;
import io.sandplane.provisioner.provider.GuestObservation;
import io.sandplane.provisioner.provider.GuestRef;
import io.sandplane.provisioner.provider.Providers;
import io.sandplane.provisioner.provider.SandboxProvider;
import io.sandplane.provisioner.provider.StartFailedException;
import io.sandplane.provisioner.provider.StartProgress;
import io.sandplane.provisioner.provider.StartSpec;
import io.sandplane.provisioner.repository.SandboxRepository;
import io.sandplane.provisioner.repository.TeamRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Starts sandboxes (clone to ready) and recovers starts and deletes a crashed provisioner left
 * half-way. Works on rows sandbox-api inserted; one operation per sandbox at a time (across
 * replicas), so calling provision twice never makes two guests: the second call waits for the first
 * and answers with its result.
 */
@ApplicationScoped
public class ProvisioningService {

    private static final Logger LOG = Logger.getLogger(ProvisioningService.class);

    private final SandboxRecorder recorder;
    private final TemplateResolver resolver;
    private final Providers providers;
    private final OperationLocks locks;
    private final VmidAllocator vmids;
    private final TeamRepository teams;
    private final SandboxRepository sandboxes;
    private final ProvisionerSettings settings;
    private final MeterRegistry metrics;

    public ProvisioningService(SandboxRecorder recorder, TemplateResolver resolver, Providers providers,
            OperationLocks locks, VmidAllocator vmids, TeamRepository teams, SandboxRepository sandboxes,
            ProvisionerSettings settings, MeterRegistry metrics) {
        this.recorder = recorder;
        this.resolver = resolver;
        this.providers = providers;
        this.locks = locks;
        this.vmids = vmids;
        this.teams = teams;
        this.sandboxes = sandboxes;
        this.settings = settings;
        this.metrics = metrics;
    }

    public SandboxState provision(String id) {
        long started = System.nanoTime();
        try (LockSession lock = locks.lockSandbox(id, settings.tuning().operationLockWait())) {
            StartContext context = QuarkusTransaction.joiningExisting().call(() -> context(id));
            Sandbox row = context.row();
            if (row.status != SandboxStatus.PROVISIONING) {
                return SandboxRecorder.state(row);
            }
            if (row.step != null || row.error != null || context.holdsVmid()) {
                // An earlier attempt died half-way: finish or roll back what it left, never start over.
                return recoverLocked(row, lock);
            }
            if (context.problem() != null) {
                // Nothing was created: the row says why and is done.
                recorder.failed(row.id, context.problem().getMessage());
                throw context.problem();
            }
            var refusal = providers.of(row.provider).startRefusal();
            if (refusal.isPresent()) {
                // A guest that cannot be isolated is never created: fail at once, saying why, instead of after a clone.
                recorder.failed(row.id, refusal.get());
                throw new ProblemException(503, "isolation-unavailable", "Sandboxes cannot be isolated",
                        refusal.get());
            }
            return start(context, lock, started);
        }
    }

    /** Everything a start needs from the database, read in one transaction. */
    private record StartContext(Sandbox row, String teamSlug, boolean holdsVmid, TemplateResolver.Resolved template,
            ProblemException problem) {
    }

    private StartContext context(String id) {
        Sandbox row = recorder.load(id);
        if (row.status != SandboxStatus.PROVISIONING) {
            return new StartContext(row, null, false, null, null);
        }
        try {
            TemplateResolver.Resolved template = resolver.resolve(row);
            providers.of(row.provider);
            SandboxRepository.StartFacts facts = sandboxes.startFacts(id, vmids.cluster()).orElseThrow(
                    () -> new IllegalStateException("sandbox " + id + " references a missing team " + row.teamId));
            return new StartContext(row, facts.teamSlug(), facts.holdsVmid(), template, null);
        } catch (ProblemException e) {
            return new StartContext(row, null, false, null, e);
        }
    }

    private SandboxState start(StartContext context, LockSession lock, long started) {
        Sandbox row = context.row();
        TemplateResolver.Resolved template = context.template();
        StartSpec spec = new StartSpec(row.id, context.teamSlug(), row.createdAt, row.snapshotId, template.copies(), lock,
                row.networkPolicy());
        String outcome = "failed";
        Progress progress = new Progress(row.id, template, started);
        try {
            GuestRef guest = providers.of(row.provider).start(spec, progress);
            Sandbox ready = progress.finish(recorder.running(guest,
                    "ready in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms"));
            outcome = "running";
            return SandboxRecorder.state(ready);
        } catch (StartFailedException e) {
            progress.settle();
            if (e.cleanedUp()) {
                return SandboxRecorder.state(recorder.failed(row.id, e.getMessage()));
            }
            outcome = "cleanup_pending";
            return SandboxRecorder.state(recorder.error(row.id, e.getMessage()));
        } finally {
            Timer.builder("sandplane.provision.duration")
                    .description("Sandbox starts, from provision call to ready (or failure)")
                    .tag("provider", row.provider.id())
                    .tag("outcome", outcome)
                    .publishPercentileHistogram()
                    .register(metrics)
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Finishes or rolls back an interrupted start, or finishes an interrupted delete. A sandbox
     * whose operation is still running (its lock is held) is left alone.
     */
    public SandboxState recover(String id) {
        Sandbox row = recorder.load(id);
        if (row.status != SandboxStatus.PROVISIONING && row.status != SandboxStatus.DELETING) {
            return SandboxRecorder.state(row);
        }
        var lock = locks.tryLockSandbox(id);
        if (lock.isEmpty()) {
            return SandboxRecorder.state(row);
        }
        try (LockSession session = lock.get()) {
            return recoverLocked(recorder.load(id), session);
        }
    }

    SandboxState recoverLocked(Sandbox row, LockSession lock) {
        SandboxProvider provider = providers.of(row.provider);
        GuestRef guest = GuestRef.of(row);
        GuestObservation seen = provider.observe(row.id, guest);
        RecoveryPlan plan = RecoveryPlan.decide(row.status, row.step, row.error != null, seen);
        LOG.infof("Recovering sandbox %s (%s, step %s, guest %s): %s — %s", row.id, row.status, row.step, guest,
                plan.action(), plan.reason());
        switch (plan.action()) {
            case NONE, WAIT -> {
                return SandboxRecorder.state(row);
            }
            case FINISH_DELETE -> {
                try {
                    provider.delete(row.id, guest);
                } catch (RuntimeException e) {
                    recorder.error(row.id, "delete still pending: " + Failures.reason(e));
                    throw e;
                }
                recorder.transition(row.id, SandboxStatus.DELETED, "guest destroyed (recovered interrupted delete)");
            }
            case ROLL_BACK -> {
                String cause = row.error != null ? row.error : plan.reason();
                try {
                    provider.rollBack(row.id, guest);
                } catch (RuntimeException e) {
                    recorder.error(row.id, cause + "; clean-up pending: " + Failures.reason(e));
                    return recorder.state(row.id);
                }
                recorder.failed(row.id, cause);
            }
            case FINISH_START -> {
                long started = System.nanoTime();
                // The guest exists: no template copy is needed to finish (and the catalog may have moved on).
                StartSpec spec = new StartSpec(row.id, teamSlug(row), row.createdAt, row.snapshotId, List.of(), lock,
                        row.networkPolicy());
                Progress progress = new Progress(row.id, null, started);
                try {
                    GuestRef ready = provider.finishStart(spec, guest, row.step, progress);
                    progress.finish(recorder.running(ready, "ready (start finished by recovery)"));
                } catch (StartFailedException e) {
                    progress.settle();
                    if (e.cleanedUp()) {
                        recorder.failed(row.id, e.getMessage());
                    } else {
                        recorder.error(row.id, e.getMessage());
                    }
                }
            }
        }
        return recorder.state(row.id);
    }

    private String teamSlug(Sandbox row) {
        Team team = QuarkusTransaction.joiningExisting().call(() -> teams.findById(row.teamId));
        if (team == null) {
            throw new IllegalStateException("sandbox " + row.id + " references a missing team " + row.teamId);
        }
        return team.slug;
    }

    /**
     * Records each step as the provider reports it (in order, through a {@link StepWriter}) and times
     * the steps; the placement is written before the provider goes on to clone. {@code template} is
     * null when finishing an interrupted start.
     */
    private final class Progress implements StartProgress {

        private final String sandboxId;
        private final TemplateResolver.Resolved template;
        private final StepWriter writer;
        private long last;

        Progress(String sandboxId, TemplateResolver.Resolved template, long started) {
            this.sandboxId = sandboxId;
            this.template = template;
            this.writer = new StepWriter(recorder, sandboxId);
            this.last = started;
        }

        @Override
        public void completed(ProvisionStep step, GuestRef guest, String detail) {
            writer.enqueue(SandboxRecorder.step(step, guest, detail, Instant.now()));
            long now = System.nanoTime();
            Timer.builder("sandplane.provision.step")
                    .description("Time of each provisioning step")
                    .tag("step", step.name())
                    .publishPercentileHistogram()
                    .register(metrics)
                    .record(now - last, TimeUnit.NANOSECONDS);
            last = now;
        }

        @Override
        public void placed(GuestRef guest, StartSpec.TemplateCopy copy) {
            // Crash recovery finds the guest by the recorded node: it must be on the row before the clone goes out.
            writer.commit(SandboxRecorder.placed(guest, copy, template == null ? null : template.presetId(),
                    template == null ? null : template.version(), Instant.now()));
        }

        /** The last change (RUNNING) goes in one transaction with any steps still queued; returns the row. */
        Sandbox finish(SandboxRecorder.Change last) {
            return writer.commit(last);
        }

        /** Before writing a failure: whatever got written is written; a failed write is not the start's cause. */
        void settle() {
            try {
                writer.flush();
            } catch (RuntimeException e) {
                LOG.warnf("Sandbox %s: progress could not be recorded: %s", sandboxId, Failures.reason(e));
            }
        }
    }
}
