package io.sandplane.sandboxapi.client;

import io.sandplane.model.problem.Problem;
import io.sandplane.model.problem.ProblemException;
import java.util.HashMap;
import java.util.Map;

/**
 * A call to another Sandplane service that did not succeed, rendered as problem+json. The subtype
 * says what is known about the request: {@link Unreachable} was certainly not delivered (safe to
 * retry, nothing happened), {@link Failed} may have been partly carried out, {@link Rejected} was
 * refused by the other service for a reason the caller should see.
 */
public abstract sealed class UpstreamException extends ProblemException {

    UpstreamException(int status, String type, String title, String detail, Map<String, Object> extensions) {
        super(status, type, title, detail, extensions);
    }

    /** Connection refused, breaker open, or similar: the request never reached the service. */
    public static final class Unreachable extends UpstreamException {
        public Unreachable(String service, String cause, int retryAfterSeconds) {
            super(503, "unavailable", "Service unavailable",
                    service + " is unreachable (" + cause + "); try again later",
                    Map.of(Problem.RETRY_AFTER, retryAfterSeconds));
        }
    }

    /** A 5xx answer or a timeout: the outcome is unknown, the reaper reconciles it. */
    public static final class Failed extends UpstreamException {
        public Failed(String service, int status, String detail, int retryAfterSeconds) {
            super(status == 504 ? 504 : 503, status == 504 ? "upstream-timeout" : "upstream-failed",
                    status == 504 ? "Upstream timeout" : "Upstream failure", service + ": " + detail,
                    Map.of(Problem.RETRY_AFTER, retryAfterSeconds));
        }
    }

    /** A 4xx from the other service (e.g. 409 when a concurrent command changed the state): passed on as is. */
    public static final class Rejected extends UpstreamException {
        public Rejected(int status, String type, String title, String detail, Map<String, Object> extensions) {
            super(status, type, title, detail, extensions);
        }
    }

    static Map<String, Object> extensions(Map<String, Object> problem) {
        Map<String, Object> ext = new HashMap<>(problem);
        // Field errors ("errors") stay: the caller needs them to fix the request.
        for (String member : new String[] { "type", "title", "status", "detail", "instance" }) {
            ext.remove(member);
        }
        return ext;
    }
}
