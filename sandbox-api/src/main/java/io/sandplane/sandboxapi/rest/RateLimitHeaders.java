package io.sandplane.sandboxapi.rest;

import io.sandplane.sandboxapi.service.RateWindow;
import jakarta.ws.rs.core.Response;

/** {@code X-RateLimit-Limit/Remaining/Reset} (reset in epoch seconds, as cmux's limiter sends it). */
final class RateLimitHeaders {

    private RateLimitHeaders() {
    }

    static Response.ResponseBuilder add(Response.ResponseBuilder builder, RateWindow window) {
        if (window == null) {
            return builder;
        }
        return builder.header("X-RateLimit-Limit", window.limit())
                .header("X-RateLimit-Remaining", Math.max(0, window.remaining()))
                .header("X-RateLimit-Reset", window.reset().getEpochSecond());
    }
}
