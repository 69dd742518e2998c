package io.sandplane.provisioner.client;

import io.sandplane.provisioner.config.ProvisionerSettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * Waits for a PVE task by polling its UPID: quickly at first (a fast task is seen at once), then
 * backing off to {@code PROVISIONER_POLL_MAX_INTERVAL}. {@code OK} and {@code WARNINGS: n} are
 * success; any other exit status fails with the task's own error text.
 */
@ApplicationScoped
public class TaskWaiter {

    /** PVE may not know a task for a moment after handing out its UPID (bpg retries 400s for this). */
    private static final Duration UNKNOWN_TASK_GRACE = Duration.ofSeconds(5);

    private final PveClient pve;
    private final ProvisionerSettings settings;

    public TaskWaiter(PveClient pve, ProvisionerSettings settings) {
        this.pve = pve;
        this.settings = settings;
    }

    /**
     * @param what names the task in errors, e.g. {@code clone of 9001 to 1234}
     * @return the exit status ({@code OK} or {@code WARNINGS: n})
     */
    public String await(Upid upid, String what, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Poller poller = new Poller(settings.tuning().pollMaxInterval());
        while (true) {
            PveTypes.TaskStatus status;
            try {
                status = pve.taskStatus(upid);
            } catch (PvePermanentException e) {
                boolean unknownTask = e.status() == 400 && System.nanoTime() - start < UNKNOWN_TASK_GRACE.toNanos();
                if (!unknownTask) {
                    throw new PvePermanentException(e.status(), what + ": cannot read task status: " + e.pveMessage(), e);
                }
                status = null;
            } catch (PveTransientException e) {
                throw new PveTransientException(e.status(), what + ": cannot read task status: " + e.pveMessage(), e);
            } catch (CircuitBreakerOpenException e) {
                throw new PveTransientException(0, what + ": cannot read task status: PVE's task API is suspended "
                        + "after repeated failures (circuit breaker open)", e);
            }
            if (status != null && status.stopped()) {
                if (status.succeeded()) {
                    return status.exitstatus();
                }
                String exit = status.exitstatus() == null ? "unexpected status" : status.exitstatus().strip();
                throw new PvePermanentException(0, what + " failed: " + exit, null);
            }
            if (System.nanoTime() > deadline) {
                throw new PvePermanentException(0, what + " did not finish within " + timeout.toSeconds() + " s (task "
                        + upid + ")", null);
            }
            poller.pause();
        }
    }
}
