package io.sandplane.sandboxapi.client;

import io.sandplane.model.internal.InternalCall;
import io.sandplane.model.internal.InternalCallException;
import io.sandplane.model.problem.Problem;
import jakarta.ws.rs.WebApplicationException;
import java.util.function.Supplier;

/**
 * Calls another Sandplane service: its failures are read by {@link InternalCall} (as every service reads
 * them) and rendered as the {@link UpstreamException} this API answers with.
 */
final class UpstreamCalls {

    private UpstreamCalls() {
    }

    static <T> T call(String service, int retryAfterSeconds, Supplier<T> call) {
        try {
            return InternalCall.call(service, service, call);
        } catch (InternalCallException e) {
            throw of(e, retryAfterSeconds);
        }
    }

    static void run(String service, int retryAfterSeconds, Runnable call) {
        call(service, retryAfterSeconds, () -> {
            call.run();
            return null;
        });
    }

    /**
     * A refusal is passed on with the other service's problem (its type, title, detail and members); anything
     * else becomes this API's 503 (or 504 when no answer came in time), with the other service's detail.
     */
    static UpstreamException of(InternalCallException e, int retryAfterSeconds) {
        return switch (e) {
            case InternalCallException.Unreachable u -> new UpstreamException.Unreachable(e.service(), causeOf(u, " unreachable: "),
                    retryAfterSeconds);
            case InternalCallException.Refused r -> new UpstreamException.Rejected(r.status(),
                    r.problem().get("type") instanceof String t && t.startsWith(Problem.TYPE_BASE)
                            ? t.substring(Problem.TYPE_BASE.length()) : "upstream-rejected",
                    r.problem().get("title") instanceof String t ? t : "Rejected by " + e.service(), r.detail(),
                    UpstreamException.extensions(r.problem()));
            case InternalCallException.Unavailable u -> new UpstreamException.Failed(e.service(), 503, detailOf(u),
                    retryAfterSeconds);
            case InternalCallException.Failed f -> new UpstreamException.Failed(e.service(), f.status(), detailOf(f),
                    retryAfterSeconds);
        };
    }

    /** The other service's own words when it answered, else what went wrong with the call. */
    private static String detailOf(InternalCallException e) {
        if (e.problem().get("detail") instanceof String d) {
            return d;
        }
        if (e.getCause() instanceof WebApplicationException) {
            return "answered HTTP " + e.status();
        }
        return e.status() == 504 ? "no answer in time" : "call failed: " + causeOf(e, " failed: ");
    }

    /** "ConnectException: Connection refused" from "… unreachable: ConnectException: Connection refused". */
    private static String causeOf(InternalCallException e, String after) {
        String message = e.getMessage();
        int at = message.indexOf(after);
        return at < 0 ? message : message.substring(at + after.length());
    }
}
