package io.sandplane.devsupport.simulator;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A failure injected into the simulator for API calls whose method and path match (see
 * docs/pve-simulator.md). Build one with the factories and the {@code with…} methods, e.g.
 * {@code Fault.error("POST", "/nodes/pve1/lxc/9001/clone", 596, "Connection timed out").times(1)}.
 *
 * @param id          assigned by the simulator
 * @param method      HTTP method, or null for any
 * @param path        regular expression for the whole API path after {@code /api2/json}
 * @param kind        {@code error}, {@code timeout}, {@code task} or {@code delay}
 * @param status      HTTP status of an {@code error}
 * @param message     PVE message of an {@code error}
 * @param exitstatus  task exit status of a {@code task} fault ({@code WARNINGS: n} succeeds with warnings)
 * @param delayMs     delay before the call is handled
 * @param probability chance of a hit (0-1), null for always
 * @param count       number of hits before the fault is removed, null for no limit
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Fault(String id, String method, String path, String kind, Integer status, String message,
                    String exitstatus, Long delayMs, Double probability, Integer count) {

    /** The call is answered at once with this status and PVE message (e.g. 500, 596), doing nothing. */
    public static Fault error(String method, String pathRegex, int status, String message) {
        return new Fault(null, method, pathRegex, "error", status, message, null, null, null, null);
    }

    /** The call fails with PVE's file-lock timeout ({@code can't lock file '…' - got timeout}), doing nothing. */
    public static Fault lockTimeout(String method, String pathRegex) {
        return new Fault(null, method, pathRegex, "timeout", null, null, null, null, null, null);
    }

    /** The call is accepted, but the task it starts ends with this exit status. */
    public static Fault taskFailure(String method, String pathRegex, String exitstatus) {
        return new Fault(null, method, pathRegex, "task", null, null, exitstatus, null, null, null);
    }

    /** The call is only delayed. */
    public static Fault delay(String method, String pathRegex, long delayMs) {
        return new Fault(null, method, pathRegex, "delay", null, null, null, delayMs, null, null);
    }

    public Fault times(int n) {
        return new Fault(id, method, path, kind, status, message, exitstatus, delayMs, probability, n);
    }

    public Fault withProbability(double p) {
        return new Fault(id, method, path, kind, status, message, exitstatus, delayMs, p, count);
    }

    public Fault withDelayMs(long ms) {
        return new Fault(id, method, path, kind, status, message, exitstatus, ms, probability, count);
    }
}
