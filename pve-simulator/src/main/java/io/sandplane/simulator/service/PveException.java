package io.sandplane.simulator.service;

import java.util.Map;

/**
 * An error as PVE reports it: a status, a message (reason phrase and body) and, for parameter
 * errors, the offending parameters. A plain PVE {@code die "text\n"} is a 500.
 */
public final class PveException extends RuntimeException {

    private final int status;
    private final Map<String, String> errors;

    public PveException(int status, String message, Map<String, String> errors) {
        super(message, null, false, false);
        this.status = status;
        this.errors = Map.copyOf(errors);
    }

    /** PVE's {@code die "…\n"}: 500 with the message. */
    public static PveException die(String message) {
        return new PveException(500, message, Map.of());
    }

    /** PVE's {@code raise_param_exc}: 400 "Parameter verification failed." with per-parameter errors. */
    public static PveException params(Map<String, String> errors) {
        return new PveException(400, "Parameter verification failed.", errors);
    }

    public static PveException param(String name, String error) {
        return params(Map.of(name, error));
    }

    public int status() {
        return status;
    }

    public Map<String, String> errors() {
        return errors;
    }
}
