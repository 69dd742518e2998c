package io.sandplane.model.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A call from one Sandplane service to another that did not succeed, read once for every caller
 * ({@link InternalCall#call}): what is known about whether the request arrived, and whether another
 * try can help. Every service acts on the same reading:
 * <ul>
 * <li>{@link Unreachable} — never delivered (connection refused, no such host): nothing happened;
 * another try may reach a replica that is up;</li>
 * <li>{@link Unavailable} — answered 503: the service is up but cannot do it now (PVE unreachable, its
 * own breaker open, its database down), so it did not; another try later may succeed;</li>
 * <li>{@link Failed} — another 5xx, or no answer in time: it may have been carried out in part; a caller
 * does not try again on its own (the reaper reconciles what was left half-done);</li>
 * <li>{@link Refused} — a 4xx: the service answered no, for a reason its problem says (409 the state
 * changed, 404 gone, …); trying again will not help.</li>
 * </ul>
 * The two first are {@link #isTransient() transient}: an idempotent call may be retried on them, and
 * they count against a circuit breaker; so do {@link Failed} calls, which are never retried.
 */
public abstract sealed class InternalCallException extends RuntimeException {

    private final String service;
    private final int status;
    private final Map<String, Object> problem;

    InternalCallException(String service, int status, String message, Map<String, Object> problem, Throwable cause) {
        super(message, cause);
        this.service = service;
        this.status = status;
        // Not Map.copyOf: a problem read from JSON may hold null members.
        this.problem = Collections.unmodifiableMap(new LinkedHashMap<>(problem));
    }

    /** Which service was called, e.g. {@code provisioner}. */
    public String service() {
        return service;
    }

    /** The HTTP status answered; 0 when nothing was answered. */
    public int status() {
        return status;
    }

    /** The problem+json body answered, as read (empty when there was none or it was no JSON object). */
    public Map<String, Object> problem() {
        return problem;
    }

    /** The problem's {@code detail}, else this exception's message. */
    public String detail() {
        return problem.get("detail") instanceof String d ? d : getMessage();
    }

    /** Another try of an idempotent call may succeed: the request did not arrive, or was not acted on. */
    public boolean isTransient() {
        return this instanceof Unreachable || this instanceof Unavailable;
    }

    /** The request was never delivered. */
    public static final class Unreachable extends InternalCallException {
        public Unreachable(String service, String message, Throwable cause) {
            super(service, 0, message, Map.of(), cause);
        }
    }

    /** 503: the service is up and did not act; it may be able to later. */
    public static final class Unavailable extends InternalCallException {
        public Unavailable(String service, String message, Map<String, Object> problem, Throwable cause) {
            super(service, 503, message, problem, cause);
        }
    }

    /** Another 5xx ({@code status}) or no answer in time ({@code status} 504): the outcome is unknown. */
    public static final class Failed extends InternalCallException {
        public Failed(String service, int status, String message, Map<String, Object> problem, Throwable cause) {
            super(service, status, message, problem, cause);
        }
    }

    /** A 4xx: the service answered no. */
    public static final class Refused extends InternalCallException {
        public Refused(String service, int status, String message, Map<String, Object> problem, Throwable cause) {
            super(service, status, message, problem, cause);
        }

        /** 404 or 409: what the call was about is gone or has changed — usually nothing left to do. */
        public boolean targetChanged() {
            return status() == 404 || status() == 409;
        }
    }
}
