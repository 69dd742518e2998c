package io.sandplane.sandboxapi.service;

import io.sandplane.sandboxapi.rest.dto.SandboxView;
import java.time.Duration;

/**
 * How a start ended for the caller.
 *
 * @param admissionTime   how long admission took (its transaction: quota, rate, idempotency, the row)
 * @param provisionerTime how long the provisioner call took (zero when it was not waited for)
 */
public record StartResult(SandboxView sandbox, boolean running, boolean replayed, RateWindow rate,
        Duration admissionTime, Duration provisionerTime) {

    StartResult withAdmissionTime(Duration admission) {
        return new StartResult(sandbox, running, replayed, rate, admission, provisionerTime);
    }
}
