package io.sandplane.urlrouter.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything the url-router can be told, as {@code SANDPLANE_PROXY_*} environment variables
 * (plus {@code PVE_PUBLIC_DOMAIN} and {@code SANDPLANE_PUBLIC_SCHEME}, mapped in application.properties).
 */
@ConfigMapping(prefix = "sandplane.proxy")
public interface RouterConfig {

    /** The proxy listener's port ({@code SANDPLANE_PROXY_PORT}); separate from the internal API's. */
    @WithDefault("8088")
    int port();

    /** The address the proxy listens on. */
    @WithDefault("0.0.0.0")
    String host();

    /**
     * The domain the proxy serves ({@code PVE_PUBLIC_DOMAIN}), possibly with a port. Without it no
     * Host header names a sandbox, so the proxy answers 404 to everything.
     */
    Optional<String> publicDomain();

    /** {@code http} or {@code https} ({@code SANDPLANE_PUBLIC_SCHEME}); by default https, http for {@code *.localhost}. */
    Optional<String> publicScheme();

    /** How long to wait for a sandbox's service to accept a connection before answering 502. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** A connection (either side) with no traffic for this long is closed; long enough for quiet SSE streams. */
    @WithDefault("10m")
    Duration idleTimeout();

    /** How many event-loop instances serve the proxy; 0 = one per event loop. */
    @WithDefault("0")
    int instances();

    /**
     * Whether to keep an incoming {@code X-Forwarded-For} chain (only behind a trusted TLS terminator
     * or tunnel); otherwise the proxy starts the chain itself.
     */
    @WithDefault("false")
    boolean trustForwardedHeaders();

    RouteCache routeCache();

    Wake wake();

    Activity activity();

    Cookie cookie();

    Cors cors();

    interface RouteCache {
        /** A resolved route is reused this long; changes in the database invalidate it at once (LISTEN/NOTIFY). */
        @WithDefault("5s")
        Duration ttl();

        @WithDefault("10000")
        long maxSize();
    }

    interface Wake {
        /** How long a request for a paused sandbox with wakeOnHttp is held while it resumes. */
        @WithDefault("60s")
        Duration timeout();

        /** How often a replica that did not send the resume checks whether the sandbox is running. */
        @WithDefault("250ms")
        Duration pollInterval();
    }

    interface Activity {
        /** At most one last-activity write per sandbox per this interval; open WebSockets are touched at this pace. */
        @WithDefault("30s")
        Duration interval();
    }

    interface Cookie {
        /** Lifetime of the cookie a one-time {@code ?sandplane_token=} is exchanged for. */
        @WithDefault("24h")
        Duration maxAge();
    }

    interface Cors {
        /**
         * Origins allowed to call sandbox services from a browser ({@code *} for any). Empty: the proxy
         * adds no CORS headers and passes preflights to the service like any request.
         */
        Optional<List<String>> allowedOrigins();

        @WithDefault("GET,HEAD,POST,PUT,PATCH,DELETE,OPTIONS")
        List<String> allowedMethods();

        /** Request headers a preflight may ask for; empty allows whatever the preflight asks. */
        Optional<List<String>> allowedHeaders();

        @WithDefault("true")
        boolean allowCredentials();

        @WithDefault("10m")
        Duration maxAge();
    }
}
