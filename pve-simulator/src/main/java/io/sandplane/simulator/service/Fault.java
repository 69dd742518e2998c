package io.sandplane.simulator.service;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An injected failure for API calls whose method and path match.
 *
 * @param id          assigned by the simulator
 * @param method      HTTP method, or null for any
 * @param path        a regular expression matched against the whole API path (after {@code /api2/json})
 * @param kind        what happens, see {@link Kind}
 * @param status      HTTP status for {@code error} (e.g. 500, 596)
 * @param message     PVE message for {@code error}
 * @param exitstatus  the task's exit status for {@code task} (an error text, or {@code WARNINGS: n} for success with warnings)
 * @param delayMs     delay before the call is handled (any kind)
 * @param probability chance that a matching call is hit, 0-1 (default 1)
 * @param count       how many calls it hits before it is removed; null for no limit
 */
@RegisterForReflection
public record Fault(String id, String method, String path, Kind kind, Integer status, String message,
                    String exitstatus, Long delayMs, Double probability, Integer count) {

    @RegisterForReflection
    public enum Kind {
        /** Answer at once with {@code status} and {@code message}, doing nothing. */
        error,
        /** Answer 500 {@code can't lock file '…' - got timeout}, doing nothing (PVE's flock timeout). */
        timeout,
        /** Do the call, but the task it starts ends with {@code exitstatus}. */
        task,
        /** Only the delay. */
        delay
    }
}
