package io.sandplane.sandboxapi.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandplane.model.problem.Problem;
import io.sandplane.sandboxapi.config.ApiConfig;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/**
 * The API's limits on a request's size — request line, headers, body (docs/api.md) — and the HTTP layer's own
 * refusals, answered as problem+json like every other error. Runs first on every request, before routing and
 * before the server's upload limit; the server's own walls ({@code quarkus.http.limits.*}) stand far above
 * these, because what the server refuses itself gets an empty answer. Bodies sent without a length are counted
 * as they are read ({@link BodySizeLimit}).
 */
@ApplicationScoped
public class HttpLimits {

    private final ObjectMapper json;
    private final ApiConfig.Limits limits;

    public HttpLimits(ObjectMapper json, ApiConfig config) {
        this.json = json;
        this.limits = config.limits();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::check).failureHandler(this::refused);
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        // "METHOD target HTTP/1.1": the request line as it came, give or take the version's spelling.
        int line = request.method().name().length() + 1 + request.uri().length() + 9;
        if (line > limits.maxRequestLineBytes()) {
            refuse(ctx, 414, "the request line is " + line + " bytes; at most " + limits.maxRequestLineBytes()
                    + " are accepted (a long query? send fewer filters)");
            return;
        }
        long headers = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            headers += header.getKey().length() + header.getValue().length() + 4; // ": " and CRLF
        }
        if (headers > limits.maxHeaderBytes()) {
            refuse(ctx, 431, "the request headers are " + headers + " bytes; at most " + limits.maxHeaderBytes()
                    + " are accepted");
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && declaredLength(length) > limits.maxBodyBytes()) {
            refuse(ctx, 413, tooLarge(limits.maxBodyBytes()));
            return;
        }
        ctx.next();
    }

    /** A Content-Length the server let through is digits; anything else counts as too long to read. */
    private static long declaredLength(String header) {
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    static String tooLarge(long max) {
        return "the request body is over " + max + " bytes, the most accepted";
    }

    /**
     * Client errors the HTTP layer raises before JAX-RS sees the request (a missing or malformed Host): their
     * messages are written for clients. Anything else goes on to Quarkus' own handler.
     */
    private void refused(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status < 400 || status > 499 || ctx.response().headWritten()) {
            ctx.next();
            return;
        }
        String detail = ctx.failure() instanceof VertxException e && e.getMessage() != null ? e.getMessage()
                : "the HTTP server refused the request";
        refuse(ctx, status, detail);
    }

    private void refuse(RoutingContext ctx, int status, String detail) {
        Response.StatusType reason = Response.Status.fromStatusCode(status);
        String title = switch (status) {
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            default -> reason != null ? reason.getReasonPhrase() : "HTTP " + status;
        };
        Problem problem = new Problem(Problem.TYPE_BASE + Problem.slug(title), title, status, detail,
                ctx.request().path(), List.of(), Map.of());
        String body;
        try {
            body = json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a problem", e);
        }
        // What is left of the request (an unread body) is not read: the connection ends with this answer.
        ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(body);
    }
}
