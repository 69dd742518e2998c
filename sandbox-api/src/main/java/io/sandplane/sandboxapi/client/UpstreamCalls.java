package io.sandplane.sandboxapi.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandplane.model.problem.Problem;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Turns what a REST client throws into an {@link UpstreamException} that says what is known about the call. */
final class UpstreamCalls {

    /** Lenient on purpose: another service's problem may carry members this one does not know. */
    private static final ObjectMapper LENIENT = new ObjectMapper();

    private UpstreamCalls() {
    }

    static <T> T call(String service, int retryAfterSeconds, Supplier<T> call) {
        try {
            return call.get();
        } catch (WebApplicationException e) {
            throw fromResponse(service, e, retryAfterSeconds);
        } catch (ProcessingException e) {
            throw fromTransport(service, e, retryAfterSeconds);
        } catch (RuntimeException e) {
            if (hasCause(e, ConnectException.class)) {
                throw new UpstreamException.Unreachable(service, describe(e), retryAfterSeconds);
            }
            throw e;
        }
    }

    static void run(String service, int retryAfterSeconds, Runnable call) {
        call(service, retryAfterSeconds, () -> {
            call.run();
            return null;
        });
    }

    private static UpstreamException fromTransport(String service, ProcessingException e, int retryAfterSeconds) {
        if (hasCause(e, ConnectException.class) || hasCause(e, UnknownHostException.class)
                || hasCause(e, UnresolvedAddressException.class)) {
            return new UpstreamException.Unreachable(service, describe(e), retryAfterSeconds);
        }
        if (hasCause(e, TimeoutException.class) || String.valueOf(e.getMessage()).toLowerCase().contains("timeout")) {
            return new UpstreamException.Failed(service, 504, "no answer in time", retryAfterSeconds);
        }
        return new UpstreamException.Failed(service, 503, "call failed: " + describe(e), retryAfterSeconds);
    }

    private static UpstreamException fromResponse(String service, WebApplicationException e, int retryAfterSeconds) {
        int status = e.getResponse().getStatus();
        Map<String, Object> problem = readProblem(e);
        String detail = problem.get("detail") instanceof String d ? d : "answered HTTP " + status;
        if (status >= 400 && status < 500) {
            String type = problem.get("type") instanceof String t && t.startsWith(Problem.TYPE_BASE)
                    ? t.substring(Problem.TYPE_BASE.length()) : "upstream-rejected";
            String title = problem.get("title") instanceof String t ? t : "Rejected by " + service;
            return new UpstreamException.Rejected(status, type, title, detail, UpstreamException.extensions(problem));
        }
        return new UpstreamException.Failed(service, status, detail, retryAfterSeconds);
    }

    private static Map<String, Object> readProblem(WebApplicationException e) {
        try {
            if (!e.getResponse().hasEntity()) {
                return Map.of();
            }
            String body = e.getResponse().readEntity(String.class);
            return body == null || body.isBlank() ? Map.of() : LENIENT.readValue(body, new TypeReference<Map<String, Object>>() {
            });
        } catch (IOException | RuntimeException unreadable) {
            return Map.of();
        }
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
