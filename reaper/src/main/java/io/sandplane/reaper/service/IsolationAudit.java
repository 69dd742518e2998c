package io.sandplane.reaper.service;

import io.sandplane.model.api.IsolationReport;
import io.sandplane.model.api.ReaperPassReport;
import io.sandplane.model.internal.InternalCallException;
import io.sandplane.reaper.client.ProvisionerClient;
import io.sandplane.reaper.config.ReaperConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

/**
 * The isolation audit, run at the end of each pass: a bounded batch of running sandboxes is checked against
 * the hypervisor (through the provisioner, which reads the guest's firewall and address), and what is found is
 * recorded on the row. A sandbox with a problem recorded is not routed by the url-router until an audit finds
 * it isolated again; each change is an event in the sandbox's history and counted in the metrics.
 *
 * <p>Someone with access to PVE can switch a guest's firewall off, and root inside a container can give it
 * another address; neither is visible to Sandplane otherwise, so they are looked for.
 */
@ApplicationScoped
public class IsolationAudit {

    private static final Logger LOG = Logger.getLogger(IsolationAudit.class);
    private static final int EXAMPLES = 5;

    private final ReaperStore store;
    private final ProvisionerClient provisioner;
    private final Leadership leadership;
    private final ReaperMetrics metrics;
    private final ReaperConfig config;
    private final Clock clock;

    public IsolationAudit(ReaperStore store, ProvisionerClient provisioner, Leadership leadership, ReaperMetrics metrics,
            ReaperConfig config, Clock clock) {
        this.store = store;
        this.provisioner = provisioner;
        this.leadership = leadership;
        this.metrics = metrics;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Checks up to {@code REAPER_ISOLATION_AUDIT_BATCH} sandboxes, stopping early at {@code deadline}, when this
     * replica stops leading, or when the provisioner cannot be reached (the rest wait for the next pass). In a
     * dry run nothing is recorded: the findings are only reported.
     */
    public ReaperPassReport.IsolationAudit run(Instant deadline, boolean dryRun) {
        int batch = config.isolationAuditBatch();
        if (batch <= 0) {
            return new ReaperPassReport.IsolationAudit(0, 0, 0, 0, 0, List.of());
        }
        Tally tally = new Tally();
        for (String id : store.isolationAuditBatch(batch)) {
            if (!clock.instant().isBefore(deadline) || !leadership.stillLeading()) {
                break;
            }
            Instant asked = clock.instant();
            IsolationReport report;
            try {
                report = provisioner.isolation(id);
            } catch (InternalCallException.Refused e) {
                if (!e.targetChanged()) {
                    tally.failed(id, e.getMessage());
                }
                // 404/409: deleted or without a guest since the batch was read; nothing to check.
                continue;
            } catch (InternalCallException | CircuitBreakerOpenException e) {
                // The provisioner or PVE is failing: the rest would fail the same way; they are first in the next pass's batch.
                tally.failed(id, e.getMessage());
                break;
            }
            String problem = report.isolated() ? null : String.join("; ", report.problems());
            if (problem != null && problem.isBlank()) {
                problem = "not isolated (the provisioner gave no reason)";
            }
            tally.checked(id, problem);
            if (!dryRun) {
                tally.recorded(store.recordIsolation(id, problem, asked, report.checkedAt() == null ? clock.instant()
                        : report.checkedAt()), id, problem);
            }
        }
        ReaperPassReport.IsolationAudit result = tally.result();
        metrics.isolation(result);
        return result;
    }

    /** Counts of one audit, and its first few findings. */
    private static final class Tally {
        private int checked;
        private int problems;
        private int reported;
        private int cleared;
        private int failed;
        private final List<String> examples = new ArrayList<>();

        void checked(String id, String problem) {
            checked++;
            if (problem != null) {
                problems++;
                example(id + ": " + problem);
            }
        }

        void recorded(ReaperStore.IsolationChange change, String id, String problem) {
            switch (change) {
                case REPORTED -> {
                    reported++;
                    LOG.warnf("reaper: sandbox %s is not isolated: %s; the proxy no longer routes to it", id, problem);
                }
                case CLEARED -> {
                    cleared++;
                    LOG.infof("reaper: sandbox %s is isolated again; the proxy routes to it again", id);
                }
                case UNCHANGED, STALE -> {
                }
            }
        }

        void failed(String id, String why) {
            failed++;
            example(id + ": could not be checked: " + why);
        }

        private void example(String line) {
            if (examples.size() < EXAMPLES) {
                examples.add(line);
            }
        }

        ReaperPassReport.IsolationAudit result() {
            return new ReaperPassReport.IsolationAudit(checked, problems, reported, cleared, failed, examples);
        }
    }
}
