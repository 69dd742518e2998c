package io.sandplane.urlrouter.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything the url-router can be told, as {@code SANDPLANE_PROXY_*} environment variables (plus
 * {@code PVE_PUBLIC_DOMAIN}, {@code SANDPLANE_PUBLIC_SCHEME}, {@code PVE_IP_POOL_CIDR} and
 * {@code SANDPLANE_CONTROL_PLANE_CIDRS}, mapped in application.properties).
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

    /**
     * The sandbox network ({@code PVE_IP_POOL_CIDR}): comma-separated IPv4/IPv6 CIDRs guests get their addresses
     * from. Required: the proxy forwards to nothing outside it ({@link io.sandplane.urlrouter.network.SandboxNetwork}).
     */
    Optional<String> ipPoolCidr();

    /**
     * Addresses never forwarded to, even inside the sandbox network ({@code SANDPLANE_CONTROL_PLANE_CIDRS},
     * comma-separated CIDRs): PVE hosts, the database, Sandplane's own hosts.
     */
    Optional<String> controlPlaneCidrs();

    /** How long to wait for a sandbox's service to accept a connection before answering 502. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** A connection (either side) with no traffic for this long is closed; long enough for quiet SSE streams. */
    @WithDefault("10m")
    Duration idleTimeout();

    /**
     * How long a client has to send a complete request head (request line and headers) once the proxy is
     * ready for one: on a new connection, and after each answer on a kept-alive connection. A client that
     * started a head and did not finish it gets a 408; a connection that sent nothing is closed quietly.
     * Holds off clients that keep connections open by trickling headers ({@code SANDPLANE_PROXY_HEAD_TIMEOUT}).
     */
    @WithDefault("30s")
    Duration headTimeout();

    /**
     * The most connections one client address may have open to the proxy at once; more are answered 429
     * and closed ({@code SANDPLANE_PROXY_MAX_CONNECTIONS_PER_CLIENT}). 0: no limit, the default, because
     * behind a front proxy (a load balancer, an ingress, a tunnel) every connection comes from its few
     * addresses: set the limit there, or here when clients connect to the proxy directly.
     */
    @WithDefault("0")
    int maxConnectionsPerClient();

    /** How many event-loop instances serve the proxy; 0 = one per event loop. */
    @WithDefault("0")
    int instances();

    /**
     * Whether to keep an incoming {@code X-Forwarded-For} chain, {@code X-Real-IP}, {@code X-Forwarded-Proto}
     * and {@code X-Forwarded-Host} and {@code Forwarded} (only behind a trusted TLS terminator or tunnel);
     * otherwise the proxy sets them itself from the connection.
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
