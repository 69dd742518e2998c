package io.sandplane.urlrouter.proxy;

import io.sandplane.model.problem.Problem;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The proxy's own answers: an HTML page for browsers, {@code application/problem+json} for
 * everything else. They never name the sandbox, its VMID or address, and a 404 is the same
 * whatever the reason, so probing reveals nothing.
 */
public final class ProxyPages {

    public enum Page {
        NOT_FOUND(404, "not-found", "Not found", "There is no sandbox service at this address."),
        BAD_REQUEST(400, "bad-request", "Bad request", "The request is not valid HTTP/1.1."),
        BAD_FRAMING(400, "bad-framing", "Bad request",
                "The request's body length is not clear: send one Content-Length (a decimal number) or Transfer-Encoding: chunked"
                        + " (HTTP/1.1 only), never both."),
        TRANSFER_CODING_NOT_SUPPORTED(501, "transfer-coding-not-supported", "Transfer coding not supported",
                "The proxy accepts request bodies as they are or with Transfer-Encoding: chunked alone."),
        VERSION_NOT_SUPPORTED(505, "http-version-not-supported", "HTTP version not supported",
                "The proxy speaks HTTP/1.1 and HTTP/1.0."),
        REQUEST_TIMEOUT(408, "request-timeout", "Request timeout", "The request's headers did not arrive in time."),
        TOO_MANY_CONNECTIONS(429, "too-many-connections", "Too many connections",
                "This address has more connections open to the proxy than it allows. Close some and try again."),
        URI_TOO_LONG(414, "uri-too-long", "URI too long", "The request line is longer than the proxy accepts."),
        HEADERS_TOO_LARGE(431, "headers-too-large", "Request headers too large", "The request headers are larger than the proxy accepts."),
        UNAUTHORIZED(401, "unauthorized", "Unauthorized",
                "This sandbox service needs its access token: send the " + TokenAuth.HEADER + " header, or open the URL once with ?"
                        + TokenAuth.QUERY_PARAMETER + "=<token>."),
        PAUSED(503, "sandbox-paused", "Sandbox paused",
                "This sandbox is paused. Resume it through the Sandplane API, or enable wakeOnHttp to have requests wake it."),
        WAKE_TIMEOUT(503, "sandbox-waking", "Sandbox still waking up",
                "This sandbox was paused and is being resumed; it did not answer in time. Try again in a moment."),
        WAKE_FAILED(503, "sandbox-wake-failed", "Sandbox could not be woken",
                "This sandbox was paused and could not be resumed."),
        ROUTING_UNAVAILABLE(503, "routing-unavailable", "Routing unavailable",
                "The proxy cannot look up sandbox services right now. Try again in a moment."),
        BAD_GATEWAY(502, "bad-gateway", "Bad gateway",
                "The sandbox is running, but this service did not answer. It may still be starting, or nothing listens on this port."),
        GATEWAY_TIMEOUT(504, "gateway-timeout", "Gateway timeout",
                "The sandbox is running, but this service did not answer in time.");

        final int status;
        final String type;
        final String title;
        final String detail;

        Page(int status, String type, String title, String detail) {
            this.status = status;
            this.type = type;
            this.title = title;
            this.detail = detail;
        }

        public int status() {
            return status;
        }
    }

    private ProxyPages() {
    }

    /**
     * The page as a complete response for a request that asked with {@code accept} (its Accept header):
     * HTML for browsers, problem+json otherwise, never cached.
     */
    public static FullHttpResponse render(String accept, Page page, Integer retryAfterSeconds) {
        String body;
        String contentType;
        if (accept != null && accept.contains("text/html")) {
            contentType = "text/html; charset=utf-8";
            body = html(page);
        } else {
            contentType = Problem.MEDIA_TYPE;
            JsonObject problem = new JsonObject()
                    .put("type", Problem.TYPE_BASE + page.type)
                    .put("title", page.title)
                    .put("status", page.status)
                    .put("detail", page.detail);
            if (retryAfterSeconds != null) {
                problem.put(Problem.RETRY_AFTER, retryAfterSeconds);
            }
            body = problem.encode();
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(page.status),
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        headers.set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        headers.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        if (retryAfterSeconds != null) {
            headers.set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds.toString());
        }
        return response;
    }

    private static String html(Page page) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + page.status + " " + page.title
                + "</title><style>body{font-family:system-ui,sans-serif;margin:4rem auto;max-width:36rem;color:#222}"
                + "h1{font-size:1.4rem}p{line-height:1.5}small{color:#777}</style></head><body><h1>" + page.title
                + "</h1><p>" + escape(page.detail) + "</p><small>Sandplane · HTTP " + page.status + "</small></body></html>";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
