package io.sandplane.urlrouter.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.service.AuthMode;
import io.sandplane.urlrouter.proxy.ProxyMetrics.Outcome;
import io.sandplane.urlrouter.proxy.ProxyPages.Page;
import io.sandplane.urlrouter.service.Route;
import io.sandplane.urlrouter.service.ServiceAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the proxy does with a request whose head it accepted ({@link RequestFraming}) and whose Host
 * names a service ({@link RequestScreen}): a pure function of the route the database holds for that
 * VMID and of the parsed request, so every rule is unit-tested without sockets
 * ({@code ProxyDecisionTest}); {@link ProxyConnection} only carries the verdict out. The rules, in
 * order:
 * <ol>
 * <li>no live sandbox holds the VMID, or it does not expose the port: 404, the same 404 whatever the
 * reason;</li>
 * <li>a CORS preflight, when the operator configured origins: the proxy answers it (it carries no
 * token);</li>
 * <li>a token service: a query token must be the sandbox's (a plain request then trades it for a
 * cookie with a redirect to the same URL without it; a WebSocket upgrade goes on), else the header or
 * the cookie must carry it: 401 otherwise, and nothing is woken;</li>
 * <li>a sandbox that is not running: woken when it asked for wake-on-HTTP (and still not running
 * after a wake: 503 with Retry-After), else 503 paused;</li>
 * <li>the reaper's isolation audit recorded a problem with the guest: 502, as for a service that does not answer
 * (the sandbox's history says why);</li>
 * <li>no address recorded yet: 502;</li>
 * <li>a recorded address the sandbox network does not allow ({@link ServiceAddress.Refused}, decided when the route
 * was loaded): refused, answered with the same 502 page as a service that does not answer, and reported;</li>
 * <li>forward, with any query token removed from the URI.</li>
 * </ol>
 */
final class ProxyDecision {

    /** What to do with the request. */
    sealed interface Verdict permits Forward, ExchangeToken, Answer, Preflight, Wake, RefuseAddress {
    }

    /** Relay the request to the route's service with {@code upstreamUri}; {@code upgrade}: a WebSocket handshake. */
    record Forward(String upstreamUri, boolean upgrade) implements Verdict {
    }

    /**
     * A valid one-time query token: set the cookie and redirect to {@code location}, an absolute URL on
     * the same origin (so that no path, not even {@code //evil.example/}, can send the browser elsewhere).
     */
    record ExchangeToken(String location, String token, HttpResponseStatus status) implements Verdict {
    }

    /** The proxy answers with one of its pages. */
    record Answer(Page page, Outcome outcome, Integer retryAfterSeconds) implements Verdict {
    }

    /** A CORS preflight the proxy answers itself. */
    record Preflight() implements Verdict {
    }

    /** The sandbox sleeps and asked to be woken by requests: wake it, then decide again. */
    record Wake() implements Verdict {
    }

    /** The route's address may not be reached: answer {@link #ADDRESS_REFUSED} and report it; nothing is connected to. */
    record RefuseAddress(ServiceAddress.Refused address) implements Verdict {
    }

    static final Answer NOT_FOUND = new Answer(Page.NOT_FOUND, Outcome.NOT_FOUND, null);
    static final Answer UNAUTHORIZED = new Answer(Page.UNAUTHORIZED, Outcome.UNAUTHORIZED, null);
    static final Answer PAUSED = new Answer(Page.PAUSED, Outcome.PAUSED, null);
    static final Answer STILL_WAKING = new Answer(Page.WAKE_TIMEOUT, Outcome.WAKE_FAILED, 5);
    static final Answer NO_ADDRESS = new Answer(Page.BAD_GATEWAY, Outcome.BAD_GATEWAY, null);
    /** The page of a service that does not answer: the client learns nothing about the sandbox's address or network. */
    static final Answer ADDRESS_REFUSED = new Answer(Page.BAD_GATEWAY, Outcome.ADDRESS_REFUSED, null);
    /**
     * A guest whose firewall is off may be reached by anyone on its network, and one whose address moved may be
     * another host: the proxy's token no longer guards it, so nothing is forwarded until the audit clears it.
     */
    static final Answer NOT_ISOLATED = new Answer(Page.BAD_GATEWAY, Outcome.NOT_ISOLATED, null);
    private static final Preflight PREFLIGHT = new Preflight();
    private static final Wake WAKE = new Wake();

    private static final AsciiString TOKEN_HEADER = AsciiString.cached(TokenAuth.HEADER);

    private final Cors cors;
    private final String scheme;

    /** {@code scheme}: the public URLs' scheme ({@code http} or {@code https}), for the redirect's absolute URL. */
    ProxyDecision(Cors cors, String scheme) {
        this.cors = cors;
        this.scheme = scheme;
    }

    /**
     * @param found the route of the VMID the Host names, if a sandbox holds it
     * @param port the port the Host names
     * @param request the parsed request; its Host is the one {@link RequestScreen} accepted
     * @param woken this is the second look, after a wake that reported success
     */
    Verdict decide(Optional<Route> found, int port, HttpRequest request, boolean woken) {
        Route route = found.orElse(null);
        AuthMode auth = route == null ? null : route.services().get(port);
        if (auth == null || !servesTraffic(route.status())) {
            return NOT_FOUND;
        }
        if (cors.enabled() && cors.isPreflight(request)) {
            return PREFLIGHT;
        }
        String uri = request.uri();
        List<String> queryTokens = TokenAuth.queryTokens(uri);
        boolean upgrade = isWebSocketUpgrade(request);
        if (auth == AuthMode.TOKEN) {
            if (!queryTokens.isEmpty()) {
                if (!queryTokens.stream().allMatch(t -> TokenAuth.matches(t, route.accessTokenHash()))) {
                    return UNAUTHORIZED;
                }
                if (!upgrade) {
                    HttpMethod method = request.method();
                    return new ExchangeToken(scheme + "://" + request.headers().get(HttpHeaderNames.HOST) + TokenAuth.withoutQueryToken(uri),
                            queryTokens.getFirst(), method == HttpMethod.GET || method == HttpMethod.HEAD
                                    ? HttpResponseStatus.SEE_OTHER : HttpResponseStatus.TEMPORARY_REDIRECT);
                }
            } else if (!presentsToken(request.headers(), route.accessTokenHash())) {
                return UNAUTHORIZED;
            }
        }
        if (route.status() != SandboxStatus.RUNNING) {
            return woken ? STILL_WAKING : route.wakeOnHttp() ? WAKE : PAUSED;
        }
        if (!route.isolated()) {
            return NOT_ISOLATED;
        }
        if (route.serviceAddress() == null) {
            return NO_ADDRESS;
        }
        if (route.serviceAddress() instanceof ServiceAddress.Refused refused) {
            return new RefuseAddress(refused);
        }
        return new Forward(queryTokens.isEmpty() ? uri : TokenAuth.withoutQueryToken(uri), upgrade);
    }

    private static boolean servesTraffic(SandboxStatus status) {
        return switch (status) {
            case RUNNING, PAUSED, STOPPED -> true;
            case PROVISIONING, DELETING, DELETED, FAILED, LOST -> false;
        };
    }

    static boolean isWebSocketUpgrade(HttpRequest request) {
        if (request.method() != HttpMethod.GET) {
            return false;
        }
        String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
        String connection = request.headers().get(HttpHeaderNames.CONNECTION);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket")
                && connection != null && connection.toLowerCase(Locale.ROOT).contains("upgrade");
    }

    private static boolean presentsToken(HttpHeaders headers, String accessTokenHash) {
        for (String header : headers.getAll(TOKEN_HEADER)) {
            if (TokenAuth.matches(header, accessTokenHash)) {
                return true;
            }
        }
        List<String> cookies = headers.getAll(HttpHeaderNames.COOKIE);
        return !cookies.isEmpty() && TokenAuth.cookieTokens(cookies).stream().anyMatch(t -> TokenAuth.matches(t, accessTokenHash));
    }
}
