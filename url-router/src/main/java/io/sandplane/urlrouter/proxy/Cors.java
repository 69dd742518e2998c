package io.sandplane.urlrouter.proxy;

import io.sandplane.urlrouter.config.RouterConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Set;

/**
 * Configurable CORS for sandbox services ({@code SANDPLANE_PROXY_CORS_*}). When origins are
 * configured the proxy answers preflights itself (a preflight carries no token, so a token-auth
 * service could never answer it) and sets the CORS response headers on every answer from a
 * service; otherwise it leaves CORS to the services.
 */
final class Cors {

    private final Set<String> origins;
    private final boolean anyOrigin;
    private final String methods;
    private final String headers;
    private final boolean credentials;
    private final String maxAge;

    Cors(RouterConfig.Cors config) {
        List<String> configured = config.allowedOrigins().orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        this.origins = Set.copyOf(configured);
        this.anyOrigin = origins.contains("*");
        this.methods = String.join(", ", config.allowedMethods());
        this.headers = config.allowedHeaders().map(h -> String.join(", ", h)).orElse(null);
        this.credentials = config.allowCredentials();
        this.maxAge = Long.toString(config.maxAge().toSeconds());
    }

    boolean enabled() {
        return !origins.isEmpty();
    }

    boolean isPreflight(HttpServerRequest request) {
        return request.method() == HttpMethod.OPTIONS && request.getHeader(HttpHeaders.ORIGIN) != null
                && request.getHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD) != null;
    }

    /** 204 either way; without the allow headers when the origin is not allowed, which the browser enforces. */
    void preflight(HttpServerRequest request) {
        MultiMap out = request.response().headers();
        if (decorate(request, out)) {
            out.set(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, methods);
            String asked = request.getHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS);
            String allowed = headers != null ? headers : asked;
            if (allowed != null) {
                out.set(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, allowed);
            }
            out.set(HttpHeaders.ACCESS_CONTROL_MAX_AGE, maxAge);
        }
        out.add(HttpHeaders.VARY, "Access-Control-Request-Method, Access-Control-Request-Headers");
        if (!request.isEnded()) {
            out.set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        }
        request.response().setStatusCode(204).end();
        request.resume();
    }

    /** Sets the CORS headers for an allowed origin; returns whether the origin is allowed. */
    boolean decorate(HttpServerRequest request, MultiMap out) {
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        out.add(HttpHeaders.VARY, "Origin");
        if (origin == null || !(anyOrigin || origins.contains(origin))) {
            return false;
        }
        // A literal * cannot carry credentials; echoing the origin can.
        out.set(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, anyOrigin && !credentials ? "*" : origin);
        if (credentials) {
            out.set(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
        return true;
    }
}
