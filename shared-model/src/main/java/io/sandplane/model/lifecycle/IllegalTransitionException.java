package io.sandplane.model.lifecycle;

import io.sandplane.model.problem.ProblemException;
import java.util.Map;

/** A lifecycle command that the sandbox's current state does not allow; answered with 409. */
public class IllegalTransitionException extends ProblemException {

    private final SandboxStatus current;
    private final SandboxStatus requested;

    public IllegalTransitionException(String sandboxId, SandboxStatus current, SandboxStatus requested) {
        super(409, "illegal-transition", "Illegal state transition",
                "sandbox " + sandboxId + " is " + current + " and cannot become " + requested,
                Map.of("currentStatus", current.name(), "requestedStatus", requested.name()));
        this.current = current;
        this.requested = requested;
    }

    public SandboxStatus current() {
        return current;
    }

    public SandboxStatus requested() {
        return requested;
    }
}
