package io.sandplane.sandboxapi.service;

import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.problem.Problem;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.sandboxapi.client.ProvisionerClient;
import io.sandplane.sandboxapi.client.UpstreamException;
import io.sandplane.sandboxapi.config.ApiConfig;
import io.sandplane.sandboxapi.rest.dto.SandboxView;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

/**
 * A start: admission (quota, rate, idempotency, the row) in one transaction, then the provisioner.
 *
 * <p>Consistency when the provisioner cannot be reached: if the call certainly never arrived
 * (connection refused, breaker open), a waiting start is not recorded at all (row and
 * Idempotency-Key removed, 503) and a background start is marked FAILED (nothing exists on the
 * hypervisor). If the call may have arrived (timeout, 5xx) the row stays PROVISIONING with its
 * recorded step, and the reaper finishes or rolls it back through the provisioner's recover.
 */
@ApplicationScoped
public class SandboxStarter {

    private static final Logger LOG = Logger.getLogger(SandboxStarter.class);
    private static final Duration REPLAY_POLL = Duration.ofMillis(200);

    private final StartAdmission admission;
    private final ProvisionerClient provisioner;
    private final BackgroundProvisioning background;
    private final SandboxQueries queries;
    private final ApiConfig config;

    public SandboxStarter(StartAdmission admission, ProvisionerClient provisioner, BackgroundProvisioning background,
            SandboxQueries queries, ApiConfig config) {
        this.admission = admission;
        this.provisioner = provisioner;
        this.background = background;
        this.queries = queries;
        this.config = config;
    }

    public StartResult start(Caller caller, StartPlan plan, Optional<String> idempotencyKey) {
        long began = System.nanoTime();
        Admission decision = admission.admit(caller, plan, idempotencyKey);
        Duration admissionTime = Duration.ofNanos(System.nanoTime() - began);
        StartResult result = switch (decision) {
            case Admission.Replayed r -> replay(r, plan);
            case Admission.Admitted a -> plan.waitForRunning() ? startAndWait(a) : startInBackground(a);
        };
        return result.withAdmissionTime(admissionTime);
    }

    private StartResult startAndWait(Admission.Admitted a) {
        Sandbox s = a.sandbox();
        long began = System.nanoTime();
        try {
            provisioner.provision(s.id);
        } catch (UpstreamException.Unreachable | CircuitBreakerOpenException e) {
            admission.forget(s.id);
            throw unreachable(e);
        } catch (UpstreamException.Failed | UpstreamException.Rejected e) {
            throw withSandbox(e, s.id, "; sandbox " + s.id + " was recorded and will be finished or rolled back");
        }
        Duration provisionerTime = Duration.ofNanos(System.nanoTime() - began);
        SandboxView view = queries.view(s.id);
        requireNotFailed(view);
        return new StartResult(view.withAccessToken(a.accessToken()), view.status() != SandboxStatus.PROVISIONING,
                false, a.rate(), Duration.ZERO, provisionerTime);
    }

    private StartResult startInBackground(Admission.Admitted a) {
        // The row as admitted: nothing else has touched it yet, and it has no services.
        SandboxView view = SandboxViews.of(a.sandbox(), java.util.List.of());
        background.provision(a.sandbox().id);
        return new StartResult(view.withAccessToken(a.accessToken()), false, false, a.rate(), Duration.ZERO, Duration.ZERO);
    }

    /** The earlier start's sandbox; a waiting replay waits, as the original did, until it left PROVISIONING. */
    private StartResult replay(Admission.Replayed r, StartPlan plan) {
        SandboxView view = queries.view(r.sandboxId());
        if (plan.waitForRunning()) {
            long deadline = System.nanoTime() + config.upstream().startTimeout().toNanos();
            while (view.status() == SandboxStatus.PROVISIONING && view.error() == null && System.nanoTime() < deadline) {
                pause();
                view = queries.view(r.sandboxId());
            }
            // As the original answered: a start that was rolled back is a 502 again.
            requireNotFailed(view);
        }
        return new StartResult(view, plan.waitForRunning() && view.status() != SandboxStatus.PROVISIONING, true,
                r.rate(), Duration.ZERO, Duration.ZERO);
    }

    /** FAILED: rolled back. PROVISIONING with an error: the roll-back is unfinished and recover completes it. */
    private static void requireNotFailed(SandboxView view) {
        if (view.status() == SandboxStatus.FAILED || (view.status() == SandboxStatus.PROVISIONING && view.error() != null)) {
            throw new ProblemException(502, "start-failed", "Start failed",
                    "sandbox " + view.id() + " could not be started: " + (view.error() == null ? "see its events" : view.error()),
                    Map.of("sandboxId", view.id()));
        }
    }

    private static void pause() {
        try {
            Thread.sleep(REPLAY_POLL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProblemException(503, "unavailable", "Service unavailable", "interrupted while waiting");
        }
    }

    private ProblemException unreachable(RuntimeException e) {
        if (e instanceof UpstreamException.Unreachable u) {
            return u;
        }
        LOG.debugf("provisioner breaker open: %s", e.getMessage());
        return new UpstreamException.Unreachable("provisioner", "circuit breaker open after repeated failures",
                config.upstream().retryAfterSeconds());
    }

    static ProblemException withSandbox(ProblemException e, String sandboxId, String note) {
        Map<String, Object> ext = new HashMap<>(e.extensions());
        ext.put("sandboxId", sandboxId);
        ext.putIfAbsent(Problem.RETRY_AFTER, 5);
        return new ProblemException(e.status(), e.type(), e.title(), e.getMessage() + note, ext);
    }
}
