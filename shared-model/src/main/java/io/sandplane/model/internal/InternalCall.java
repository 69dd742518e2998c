package io.sandplane.model.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Calls another Sandplane service through its REST client and turns what the client throws into an
 * {@link InternalCallException} that says what is known about the request. The one place that reads a
 * failed internal call, so that the services agree on it.
 */
public final class InternalCall {

    /** Lenient on purpose: another service's problem may carry members this one does not know. */
    private static final ObjectMapper LENIENT = new ObjectMapper();

    private InternalCall() {
    }

    /**
     * @param service the service called, e.g. {@code provisioner}
     * @param what    what was asked, for messages, e.g. {@code resume sbx_…}
     */
    public static <T> T call(String service, String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (WebApplicationException e) {
            throw fromResponse(service, what, e);
        } catch (ProcessingException e) {
            throw fromTransport(service, what, e);
        } catch (RuntimeException e) {
            if (neverDelivered(e)) {
                throw new InternalCallException.Unreachable(service, what + ": " + service + " unreachable: " + describe(e), e);
            }
            throw e;
        }
    }

    public static void run(String service, String what, Runnable call) {
        call(service, what, () -> {
            call.run();
            return null;
        });
    }

    /** What an answered error means (public for the services' unit tests of their own reactions). */
    public static InternalCallException fromResponse(String service, String what, WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Map<String, Object> problem = readProblem(e);
        String detail = problem.get("detail") instanceof String d ? d : "HTTP " + status;
        String message = what + ": " + service + " answered " + status + " (" + detail + ")";
        if (status >= 400 && status < 500) {
            return new InternalCallException.Refused(service, status, message, problem, e);
        }
        if (status == 503) {
            return new InternalCallException.Unavailable(service, message, problem, e);
        }
        return new InternalCallException.Failed(service, status, message, problem, e);
    }

    private static InternalCallException fromTransport(String service, String what, ProcessingException e) {
        if (neverDelivered(e)) {
            return new InternalCallException.Unreachable(service, what + ": " + service + " unreachable: " + describe(e), e);
        }
        if (hasCause(e, TimeoutException.class) || String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")) {
            return new InternalCallException.Failed(service, 504, what + ": " + service + " gave no answer in time", Map.of(), e);
        }
        return new InternalCallException.Failed(service, 502, what + ": the call to " + service + " failed: " + describe(e),
                Map.of(), e);
    }

    private static boolean neverDelivered(Throwable e) {
        return hasCause(e, ConnectException.class) || hasCause(e, UnknownHostException.class)
                || hasCause(e, UnresolvedAddressException.class) || hasCause(e, NoRouteToHostException.class);
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
