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
import io.sandplane.provisioner.repository.TeamRepository;
import jakarta.enterprise.context.ApplicationScoped;
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
    private final ProvisionerSettings settings;
    private final MeterRegistry metrics;

    public ProvisioningService(SandboxRecorder recorder, TemplateResolver resolver, Providers providers,
            OperationLocks locks, VmidAllocator vmids, TeamRepository teams, ProvisionerSettings settings,
            MeterRegistry metrics) {
        this.recorder = recorder;
        this.resolver = resolver;
        this.providers = providers;
        this.locks = locks;
        this.vmids = vmids;
        this.teams = teams;
        this.settings = settings;
        this.metrics = metrics;
    }

    public SandboxState provision(String id) {
        Sandbox row = recorder.load(id);
        if (row.status != SandboxStatus.PROVISIONING) {
            return SandboxRecorder.state(row);
        }
        try (LockSession lock = locks.lockSandbox(id, settings.tuning().operationLockWait())) {
            row = recorder.load(id);
            if (row.status != SandboxStatus.PROVISIONING) {
                return SandboxRecorder.state(row);
            }
            if (row.step != null || row.error != null || !vmids.heldBy(id).isEmpty()) {
                // An earlier attempt died half-way: finish or roll back what it left, never start over.
                return recoverLocked(row, lock);
            }
            return start(row, lock);
        }
    }

    private SandboxState start(Sandbox row, LockSession lock) {
        long started = System.nanoTime();
        TemplateResolver.Resolved template;
        SandboxProvider provider;
        try {
            template = resolver.resolve(row);
            provider = providers.of(row.provider);
        } catch (ProblemException e) {
            // Nothing was created: the row says why and is done.
            recorder.failed(row.id, e.getMessage());
            throw e;
        }
        StartSpec spec = new StartSpec(row.id, teamSlug(row), row.createdAt, row.snapshotId, template.copies(), lock);
        String outcome = "failed";
        try {
            GuestRef guest = provider.start(spec, new Progress(row.id, template, started));
            recorder.running(row.id, guest, "ready in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
            outcome = "running";
        } catch (StartFailedException e) {
            if (e.cleanedUp()) {
                recorder.failed(row.id, e.getMessage());
            } else {
                outcome = "cleanup_pending";
                recorder.error(row.id, e.getMessage());
            }
        } finally {
            Timer.builder("sandplane.provision.duration")
                    .description("Sandbox starts, from provision call to ready (or failure)")
                    .tag("provider", row.provider.id())
                    .tag("outcome", outcome)
                    .publishPercentileHistogram()
                    .register(metrics)
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        return recorder.state(row.id);
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
                StartSpec spec = new StartSpec(row.id, teamSlug(row), row.createdAt, row.snapshotId, List.of(), lock);
                try {
                    GuestRef ready = provider.finishStart(spec, guest, row.step, new Progress(row.id, null, started));
                    recorder.running(row.id, ready, "ready (start finished by recovery)");
                } catch (StartFailedException e) {
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

    /** Persists each step as the provider reports it, and times the steps ({@code template} is null when finishing). */
    private final class Progress implements StartProgress {

        private final String sandboxId;
        private final TemplateResolver.Resolved template;
        private long last;

        Progress(String sandboxId, TemplateResolver.Resolved template, long started) {
            this.sandboxId = sandboxId;
            this.template = template;
            this.last = started;
        }

        @Override
        public void completed(ProvisionStep step, GuestRef guest, String detail) {
            recorder.step(sandboxId, step, guest, detail);
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
            recorder.placed(sandboxId, guest, copy, template == null ? null : template.presetId(),
                    template == null ? null : template.version());
        }
    }
}
