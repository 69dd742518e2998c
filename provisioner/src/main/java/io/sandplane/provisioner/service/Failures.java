package io.sandplane.provisioner.service;

import io.sandplane.model.problem.ProblemException;
import io.sandplane.provisioner.client.PveException;

/** How a failure reads in a sandbox's error and events: the cause, never a stack trace or a secret. */
public final class Failures {

    private Failures() {
    }

    public static String reason(Throwable e) {
        if (e instanceof PveException pve) {
            return pve.status() > 0 ? "PVE " + pve.status() + ": " + pve.pveMessage() : pve.pveMessage();
        }
        if (e instanceof ProblemException problem) {
            return problem.getMessage();
        }
        if (e instanceof org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException) {
            return "PVE calls are suspended after repeated failures (circuit breaker open); try again shortly";
        }
        String name = e.getClass().getSimpleName();
        return e.getMessage() == null ? name : name + ": " + e.getMessage();
    }
}
