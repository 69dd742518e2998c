package io.sandplane.urlrouter.proxy;

import io.sandplane.urlrouter.config.RouterConfig;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
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

    boolean isPreflight(HttpRequest request) {
        return request.method() == HttpMethod.OPTIONS && request.headers().contains(HttpHeaderNames.ORIGIN)
                && request.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    }

    /** The answer to a preflight: 204 either way, without the allow headers when the origin is not allowed (the browser enforces that). */
    FullHttpResponse preflight(HttpRequest request) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        HttpHeaders out = response.headers();
        if (decorate(request.headers(), out)) {
            out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, methods);
            String asked = request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
            String allowed = headers != null ? headers : asked;
            if (allowed != null) {
                out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, allowed);
            }
            out.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, maxAge);
        }
        out.add(HttpHeaderNames.VARY, "Access-Control-Request-Method, Access-Control-Request-Headers");
        return response;
    }

    /** Sets the CORS headers for an allowed origin on {@code out}; returns whether the origin is allowed. */
    boolean decorate(HttpHeaders request, HttpHeaders out) {
        String origin = request.get(HttpHeaderNames.ORIGIN);
        out.add(HttpHeaderNames.VARY, "Origin");
        if (origin == null || !(anyOrigin || origins.contains(origin))) {
            return false;
        }
        // A literal * cannot carry credentials; echoing the origin can.
        out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, anyOrigin && !credentials ? "*" : origin);
        if (credentials) {
            out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
        return true;
    }
}
