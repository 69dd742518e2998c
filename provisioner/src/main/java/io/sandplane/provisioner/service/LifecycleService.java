package io.sandplane.provisioner.service;

import io.sandplane.model.api.ExecRequest;
import io.sandplane.model.api.ExecResult;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.lifecycle.IllegalTransitionException;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.provisioner.config.ProvisionerSettings;
import io.sandplane.provisioner.provider.GuestGoneException;
import io.sandplane.provisioner.provider.GuestRef;
import io.sandplane.provisioner.provider.Providers;
import io.sandplane.provisioner.provider.SandboxProvider;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Stop, pause, resume, delete and exec on existing sandboxes. Each answers with the row's state and
 * is idempotent: stopping a stopped sandbox, resuming a running one or deleting a deleted one
 * succeeds at once. A guest that vanished makes the sandbox LOST.
 */
@ApplicationScoped
public class LifecycleService {

    private static final Logger LOG = Logger.getLogger(LifecycleService.class);

    private final SandboxRecorder recorder;
    private final Providers providers;
    private final OperationLocks locks;
    private final VmidAllocator vmids;
    private final ProvisionerSettings settings;

    public LifecycleService(SandboxRecorder recorder, Providers providers, OperationLocks locks, VmidAllocator vmids,
            ProvisionerSettings settings) {
        this.recorder = recorder;
        this.providers = providers;
        this.locks = locks;
        this.vmids = vmids;
        this.settings = settings;
    }

    public SandboxState stop(String id) {
        return halt(id, SandboxStatus.STOPPED);
    }

    public SandboxState pause(String id) {
        return halt(id, SandboxStatus.PAUSED);
    }

    private SandboxState halt(String id, SandboxStatus target) {
        Sandbox row = recorder.load(id);
        if (row.status == target) {
            return SandboxRecorder.state(row);
        }
        SandboxStatus.requireTransition(id, row.status, target);
        try (LockSession lock = locks.lockSandbox(id, settings.tuning().operationLockWait())) {
            row = recorder.load(id);
            if (row.status == target) {
                return SandboxRecorder.state(row);
            }
            SandboxStatus.requireTransition(id, row.status, target);
            SandboxProvider provider = providers.of(row.provider);
            try {
                if (target == SandboxStatus.PAUSED) {
                    provider.pause(GuestRef.of(row));
                } else {
                    provider.stop(GuestRef.of(row));
                }
            } catch (GuestGoneException e) {
                return lost(row, e);
            } catch (RuntimeException e) {
                recorder.error(id, target.name().toLowerCase() + " failed: " + Failures.reason(e));
                throw e;
            }
            String detail = target == SandboxStatus.PAUSED && !provider.capabilities().supportsHibernate()
                    ? "paused (" + provider.provider().id() + " keeps no memory state: the guest is stopped)"
                    : target.name().toLowerCase();
            return SandboxRecorder.state(recorder.transition(id, target, detail));
        }
    }

    /**
     * Starts a stopped or paused sandbox and waits for network and execd. Safe for many concurrent
     * callers (wake-on-HTTP): one resumes, the others wait and get the running sandbox.
     */
    public SandboxState resume(String id) {
        Sandbox row = recorder.load(id);
        if (row.status == SandboxStatus.RUNNING) {
            return SandboxRecorder.state(row);
        }
        requireResumable(row);
        try (LockSession lock = locks.lockSandbox(id, settings.tuning().operationLockWait())) {
            row = recorder.load(id);
            if (row.status == SandboxStatus.RUNNING) {
                return SandboxRecorder.state(row);
            }
            requireResumable(row);
            SandboxProvider provider = providers.of(row.provider);
            GuestRef guest = GuestRef.of(row);
            try {
                return SandboxRecorder.state(recorder.resumed(id, provider.resume(guest, row.networkPolicy())));
            } catch (GuestGoneException e) {
                return lost(row, e);
            } catch (RuntimeException e) {
                recorder.error(id, "resume failed: " + Failures.reason(e));
                // The row still says stopped: make sure the guest agrees.
                try {
                    provider.stop(guest);
                } catch (RuntimeException stopFailed) {
                    LOG.warnf("Sandbox %s: could not stop the guest after a failed resume: %s", id,
                            Failures.reason(stopFailed));
                }
                throw e;
            }
        }
    }

    /** Only a stopped or paused sandbox resumes; a start in progress is provision's business. */
    private static void requireResumable(Sandbox row) {
        if (row.status != SandboxStatus.PAUSED && row.status != SandboxStatus.STOPPED) {
            throw new IllegalTransitionException(row.id, row.status, SandboxStatus.RUNNING);
        }
    }

    /**
     * Stops and destroys the guest, releases the VMID, closes the row (DELETED). A guest that is
     * already gone is fine. A failure leaves the row DELETING with the error; recover finishes it.
     */
    public SandboxState delete(String id) {
        Sandbox row = recorder.load(id);
        if (row.status == SandboxStatus.DELETED) {
            return SandboxRecorder.state(row);
        }
        try (LockSession lock = locks.lockSandbox(id, settings.tuning().operationLockWait())) {
            row = recorder.load(id);
            switch (row.status) {
                case DELETED -> {
                    return SandboxRecorder.state(row);
                }
                case FAILED, LOST -> {
                    // Nothing is left on the hypervisor; make sure no VMID stays held either.
                    vmids.releaseAll(id);
                    return SandboxRecorder.state(recorder.transition(id, SandboxStatus.DELETED, "deleted"));
                }
                case PROVISIONING, RUNNING, PAUSED, STOPPED ->
                        row = recorder.transition(id, SandboxStatus.DELETING, "delete requested");
                case DELETING -> {
                    // an earlier delete did not finish: carry on
                }
            }
            try {
                providers.of(row.provider).delete(id, GuestRef.of(row));
            } catch (RuntimeException e) {
                recorder.error(id, "delete failed: " + Failures.reason(e));
                throw e;
            }
            return SandboxRecorder.state(recorder.transition(id, SandboxStatus.DELETED, "guest destroyed, VMID released"));
        }
    }

    public ExecResult exec(String id, ExecRequest request) {
        Sandbox row = recorder.load(id);
        if (row.status != SandboxStatus.RUNNING) {
            throw new ProblemException(409, "not-running", "Sandbox not running",
                    "sandbox " + id + " is " + row.status + "; exec needs a RUNNING sandbox"
                            + (row.status == SandboxStatus.PAUSED || row.status == SandboxStatus.STOPPED
                                    ? " (resume it first)" : ""),
                    Map.of("currentStatus", row.status.name()));
        }
        return providers.of(row.provider).exec(GuestRef.of(row), request);
    }

    private SandboxState lost(Sandbox row, GuestGoneException e) {
        LOG.warnf("Sandbox %s: %s", row.id, e.getMessage());
        vmids.releaseAll(row.id);
        return SandboxRecorder.state(recorder.transition(row.id, SandboxStatus.LOST, e.getMessage()));
    }
}
