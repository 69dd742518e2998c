package io.sandplane.sandboxapi.rest;

import io.sandplane.model.InvalidValueException;
import io.sandplane.model.problem.Problem;
import io.sandplane.model.problem.ProblemExceptionMappers;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The media type of a request's body, settled before routing: a body must say it is JSON in UTF-8; a
 * request without a body needs to say nothing.
 */
public class RequestBodyType {

    /**
     * A request without a body has nothing to decode, so whatever type it names (or none: {@code curl -X POST})
     * does not matter: it reaches its endpoint as an empty JSON body, which the endpoint reads as "nothing given"
     * (the TTL keepalive) or refuses with a 400 that names what is missing, never a 415. A body without a
     * Content-Type is a 415: the JSON endpoints would otherwise read it as JSON unasked. So is a body in any
     * charset but UTF-8 (RFC 8259 §8.1; none named means UTF-8): the JSON reader guesses the encoding from the
     * bytes and ignores the one named, so a body labelled UTF-16 or Latin-1 was read as something else.
     * Whether the type is JSON at all is left to each endpoint's {@code @Consumes}.
     */
    @ServerRequestFilter(preMatching = true)
    public Response settle(ContainerRequestContext request, HttpServerRequest http) {
        Body body = body(request, http.version());
        if (body == Body.NONE) {
            request.getHeaders().putSingle(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON);
            return null;
        }
        String contentType = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (contentType == null) {
            return body == Body.PRESENT ? unsupported(request, "a request body needs Content-Type: application/json") : null;
        }
        MediaType type;
        try {
            type = MediaType.valueOf(contentType);
        } catch (IllegalArgumentException e) {
            return unsupported(request, "unreadable Content-Type; send application/json");
        }
        String charset = type.getParameters().get(MediaType.CHARSET_PARAMETER);
        if (charset != null && !unquoted(charset).equalsIgnoreCase("UTF-8")) {
            return unsupported(request, "charset " + InvalidValueException.quote(unquoted(charset))
                    + " is not supported; send UTF-8 (application/json, with charset=UTF-8 or none)");
        }
        return null;
    }

    private enum Body {
        NONE, PRESENT, UNKNOWN
    }

    /**
     * HTTP/1.1 (RFC 9112 §6.3): a request has a body only with a Transfer-Encoding or a non-zero Content-Length.
     * HTTP/2 frames a body without either: there only a Content-Length says, and without one the request is left
     * as it came.
     */
    private static Body body(ContainerRequestContext request, HttpVersion version) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            return length.trim().equals("0") ? Body.NONE : Body.PRESENT;
        }
        if (version == HttpVersion.HTTP_2) {
            return Body.UNKNOWN;
        }
        return request.getHeaderString("Transfer-Encoding") != null ? Body.PRESENT : Body.NONE;
    }

    private static String unquoted(String value) {
        String v = value.trim();
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    private static Response unsupported(ContainerRequestContext request, String detail) {
        return ProblemExceptionMappers.respond(new Problem(Problem.TYPE_BASE + "unsupported-media-type",
                "Unsupported Media Type", 415, detail, request.getUriInfo().getPath(), List.of(), Map.of()));
    }
}
