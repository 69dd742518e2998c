package io.sandplane.urlrouter.proxy;

import io.netty.channel.ConnectTimeoutException;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.service.AuthMode;
import io.sandplane.model.service.PublicDomain;
import io.sandplane.model.service.ServiceHost;
import io.sandplane.urlrouter.config.RouterConfig;
import io.sandplane.urlrouter.proxy.ProxyMetrics.Outcome;
import io.sandplane.urlrouter.proxy.ProxyPages.Page;
import io.sandplane.urlrouter.service.ActivityRecorder;
import io.sandplane.urlrouter.service.Route;
import io.sandplane.urlrouter.service.RouteResolver;
import io.sandplane.urlrouter.service.WakeCoordinator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyOptions;
import io.vertx.httpproxy.ProxyResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * One proxy request, start to end, on one event loop: screen the request line and Host, resolve
 * the route (cache, else database), check the service's auth, wake the sandbox if it sleeps, then
 * hand the request to vertx-http-proxy (or the WebSocket tunnel) with the token removed and the
 * X-Forwarded headers set. Nothing here blocks; database and provisioner calls run elsewhere and
 * come back to this event loop.
 */
final class ProxyHandler implements Handler<HttpServerRequest> {

    private static final Logger LOG = Logger.getLogger(ProxyHandler.class);
    private static final ProxyOptions PROXY_OPTIONS = new ProxyOptions().setSupportWebSocket(false);
    private static final String X_FORWARDED_FOR = "X-Forwarded-For";
    private static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    private static final String X_FORWARDED_HOST = "X-Forwarded-Host";

    private final Context context;
    private final HttpClient client;
    private final Optional<PublicDomain> domain;
    private final RouterConfig config;
    private final Cors cors;
    private final RouteResolver resolver;
    private final WakeCoordinator wakes;
    private final ActivityRecorder activity;
    private final ProxyMetrics metrics;
    private final long idleTimeoutMillis;

    ProxyHandler(Context context, HttpClient client, Optional<PublicDomain> domain, RouterConfig config,
            RouteResolver resolver, WakeCoordinator wakes, ActivityRecorder activity, ProxyMetrics metrics) {
        this.context = context;
        this.client = client;
        this.domain = domain;
        this.config = config;
        this.cors = new Cors(config.cors());
        this.resolver = resolver;
        this.wakes = wakes;
        this.activity = activity;
        this.metrics = metrics;
        this.idleTimeoutMillis = Math.max(1, config.idleTimeout().toMillis());
    }

    @Override
    public void handle(HttpServerRequest request) {
        // Nothing of the body is read until the request is known to go somewhere.
        request.pause();
        Optional<ServiceHost> target = RequestScreen.target(request.uri(), request.headers().getAll(HttpHeaders.HOST), domain);
        if (target.isEmpty()) {
            answer(request, Page.NOT_FOUND, Outcome.NOT_FOUND);
            return;
        }
        resolve(request, target.get(), false);
    }

    private void resolve(HttpServerRequest request, ServiceHost target, boolean woken) {
        CompletableFuture<Optional<Route>> lookup = resolver.resolve(target.vmid());
        if (lookup.isDone() && !lookup.isCompletedExceptionally()) {
            route(request, target, lookup.join(), woken);
            return;
        }
        lookup.whenComplete((route, error) -> context.runOnContext(v -> {
            if (error != null) {
                LOG.warnf("route lookup for VMID %d failed: %s", target.vmid(), error.getMessage());
                answer(request, Page.ROUTING_UNAVAILABLE, Outcome.ROUTING_UNAVAILABLE, 5);
                return;
            }
            route(request, target, route, woken);
        }));
    }

    private void route(HttpServerRequest request, ServiceHost target, Optional<Route> found, boolean woken) {
        Route route = found.orElse(null);
        Optional<AuthMode> authMode = route == null ? Optional.empty() : route.service(target.port());
        if (authMode.isEmpty() || !servesTraffic(route.status())) {
            answer(request, Page.NOT_FOUND, Outcome.NOT_FOUND);
            return;
        }
        if (cors.enabled() && cors.isPreflight(request)) {
            cors.preflight(request);
            metrics.request(Outcome.PREFLIGHT);
            return;
        }
        String uri = request.uri();
        List<String> queryTokens = TokenAuth.queryTokens(uri);
        boolean upgrade = WebSocketTunnel.isUpgrade(request);
        if (authMode.get() == AuthMode.TOKEN) {
            if (!queryTokens.isEmpty()) {
                if (!queryTokens.stream().allMatch(t -> TokenAuth.matches(t, route.accessTokenHash()))) {
                    answer(request, Page.UNAUTHORIZED, Outcome.UNAUTHORIZED);
                    return;
                }
                if (!upgrade) {
                    exchangeForCookie(request, uri, queryTokens.getFirst());
                    return;
                }
            } else if (!presentsToken(request, route.accessTokenHash())) {
                answer(request, Page.UNAUTHORIZED, Outcome.UNAUTHORIZED);
                return;
            }
        }
        if (route.status() != SandboxStatus.RUNNING) {
            if (woken) {
                answer(request, Page.WAKE_TIMEOUT, Outcome.WAKE_FAILED, 5);
            } else if (route.wakeOnHttp()) {
                wake(request, target, route);
            } else {
                answer(request, Page.PAUSED, Outcome.PAUSED);
            }
            return;
        }
        forward(request, target, route, queryTokens.isEmpty() ? uri : TokenAuth.withoutQueryToken(uri), upgrade);
    }

    private static boolean servesTraffic(SandboxStatus status) {
        return switch (status) {
            case RUNNING, PAUSED, STOPPED -> true;
            case PROVISIONING, DELETING, DELETED, FAILED, LOST -> false;
        };
    }

    private static boolean presentsToken(HttpServerRequest request, String accessTokenHash) {
        for (String header : request.headers().getAll(TokenAuth.HEADER)) {
            if (TokenAuth.matches(header, accessTokenHash)) {
                return true;
            }
        }
        List<String> cookies = request.headers().getAll(HttpHeaders.COOKIE);
        return !cookies.isEmpty() && TokenAuth.cookieTokens(cookies).stream().anyMatch(t -> TokenAuth.matches(t, accessTokenHash));
    }

    /** A valid one-time query token: set the cookie and send the browser to the same URL without it. */
    private void exchangeForCookie(HttpServerRequest request, String uri, String token) {
        boolean https = domain.map(PublicDomain::isHttps).orElse(false);
        HttpMethod method = request.method();
        request.response()
                .setStatusCode(method == HttpMethod.GET || method == HttpMethod.HEAD ? 303 : 307)
                .putHeader(HttpHeaders.LOCATION, TokenAuth.withoutQueryToken(uri))
                .putHeader(HttpHeaders.SET_COOKIE, TokenAuth.setCookie(token, https, config.cookie().maxAge()))
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader("Referrer-Policy", "no-referrer");
        if (!request.isEnded()) {
            request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        }
        request.response().end();
        request.resume();
        metrics.request(Outcome.REDIRECTED);
    }

    private void wake(HttpServerRequest request, ServiceHost target, Route route) {
        metrics.wake();
        // copy(): each request's own deadline; the shared wake goes on for the requests that arrive later.
        wakes.wake(route.sandboxId()).copy()
                .orTimeout(config.wake().timeout().toMillis() + 1000, TimeUnit.MILLISECONDS)
                .whenComplete((ignored, error) -> context.runOnContext(v -> {
                    if (error == null) {
                        resolver.invalidate(target.vmid());
                        resolve(request, target, true);
                        return;
                    }
                    Throwable cause = error.getCause() != null && error instanceof java.util.concurrent.CompletionException
                            ? error.getCause() : error;
                    boolean retryable = !(cause instanceof WakeCoordinator.WakeFailed failed) || failed.retryable();
                    LOG.infof("could not wake sandbox %s: %s", route.sandboxId(), cause.getMessage());
                    answer(request, retryable ? Page.WAKE_TIMEOUT : Page.WAKE_FAILED, Outcome.WAKE_FAILED, retryable ? 5 : null);
                }));
    }

    private void forward(HttpServerRequest request, ServiceHost target, Route route, String upstreamUri, boolean upgrade) {
        if (route.upstreamHost() == null) {
            answer(request, Page.BAD_GATEWAY, Outcome.BAD_GATEWAY);
            return;
        }
        MultiMap headers = request.headers();
        removeToken(headers);
        setForwardedHeaders(request, headers);
        activity.touch(route.sandboxId());
        SocketAddress origin = SocketAddress.inetSocketAddress(target.port(), route.upstreamHost());
        if (upgrade) {
            String sandboxId = route.sandboxId();
            WebSocketTunnel.open(request, client, origin, upstreamUri, new WebSocketTunnel.Listener() {
                @Override
                public void opened() {
                    metrics.request(Outcome.WEBSOCKET);
                    metrics.webSocketOpened();
                    activity.webSocketOpened(sandboxId);
                }

                @Override
                public void closed() {
                    metrics.webSocketClosed();
                    activity.webSocketClosed(sandboxId);
                }

                @Override
                public void failed() {
                    answer(request, Page.BAD_GATEWAY, Outcome.BAD_GATEWAY);
                }
            });
            return;
        }
        if (request.version() == HttpVersion.HTTP_1_1 && expectsContinue(headers)) {
            // The request goes through: tell the client to send its body now. The service is not asked
            // again (its own 100 would arrive after the body has started flowing anyway).
            headers.remove(HttpHeaders.EXPECT);
            request.response().writeContinue();
        }
        RequestOptions upstream = new RequestOptions().setServer(origin).setIdleTimeout(idleTimeoutMillis);
        HttpProxy.reverseProxy(PROXY_OPTIONS, client)
                .origin(proxy -> proxy.client().request(upstream))
                .addInterceptor(new Forwarding(upstreamUri))
                .handle(request);
    }

    private static boolean expectsContinue(MultiMap headers) {
        String expect = headers.get(HttpHeaders.EXPECT);
        return expect != null && expect.equalsIgnoreCase("100-continue");
    }

    private static void removeToken(MultiMap headers) {
        headers.remove(TokenAuth.HEADER);
        List<String> cookies = headers.getAll(HttpHeaders.COOKIE);
        if (!cookies.isEmpty() && cookies.stream().anyMatch(c -> c.contains(TokenAuth.COOKIE))) {
            Optional<String> rest = TokenAuth.cookieHeaderWithoutToken(cookies);
            headers.remove(HttpHeaders.COOKIE);
            rest.ifPresent(c -> headers.set(HttpHeaders.COOKIE, c));
        }
    }

    private void setForwardedHeaders(HttpServerRequest request, MultiMap headers) {
        boolean trust = config.trustForwardedHeaders();
        String client = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        String chain = headers.get(X_FORWARDED_FOR);
        headers.set(X_FORWARDED_FOR, trust && chain != null && !chain.isBlank() ? chain + ", " + client : client);
        if (!trust || !headers.contains(X_FORWARDED_PROTO)) {
            headers.set(X_FORWARDED_PROTO, domain.map(PublicDomain::scheme).orElse("http"));
        }
        if (!trust || !headers.contains(X_FORWARDED_HOST)) {
            headers.set(X_FORWARDED_HOST, headers.get(HttpHeaders.HOST));
        }
        if (!trust) {
            headers.remove("Forwarded");
        }
    }

    static boolean timedOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof ConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private void answer(HttpServerRequest request, Page page, Outcome outcome) {
        answer(request, page, outcome, null);
    }

    private void answer(HttpServerRequest request, Page page, Outcome outcome, Integer retryAfterSeconds) {
        metrics.request(outcome);
        ProxyPages.send(request, page, retryAfterSeconds);
    }

    /** Per forwarded request: the upstream URI, latency and outcome, CORS headers, and the 502 page. */
    private final class Forwarding implements ProxyInterceptor {

        private final String upstreamUri;

        Forwarding(String upstreamUri) {
            this.upstreamUri = upstreamUri;
        }

        @Override
        public Future<ProxyResponse> handleProxyRequest(ProxyContext proxy) {
            // Services see the public Host (dev servers and VS Code compare it with Origin); where the
            // request really went is the connection's business, not the header's.
            HttpServerRequest incoming = proxy.request().proxiedRequest();
            if (incoming.authority() != null) {
                proxy.request().setAuthority(incoming.authority());
            }
            if (!upstreamUri.equals(proxy.request().getURI())) {
                proxy.request().setURI(upstreamUri);
            }
            long start = System.nanoTime();
            return proxy.sendRequest().transform(sent -> {
                if (sent.succeeded()) {
                    metrics.upstreamLatency(System.nanoTime() - start);
                    metrics.request(Outcome.FORWARDED);
                    return Future.succeededFuture(sent.result());
                }
                // Timed out (connecting, or waiting for the service's answer) is 504; refused or broken is 502.
                boolean timedOut = timedOut(sent.cause());
                metrics.request(timedOut ? Outcome.GATEWAY_TIMEOUT : Outcome.BAD_GATEWAY);
                Page failure = timedOut ? Page.GATEWAY_TIMEOUT : Page.BAD_GATEWAY;
                HttpServerRequest request = proxy.request().proxiedRequest();
                ProxyResponse response = proxy.request().release().response();
                response.headers().clear();
                // Render the page into the proxy's response instead of answering around it.
                Buffer page = ProxyPages.render(request, failure, response.headers(), null);
                return Future.succeededFuture(response.setStatusCode(failure.status()).setBody(Body.body(page)));
            });
        }

        @Override
        public Future<Void> handleProxyResponse(ProxyContext proxy) {
            MultiMap headers = proxy.response().headers();
            if (cors.enabled()) {
                cors.decorate(proxy.request().proxiedRequest(), headers);
            }
            keepUpstreamDate(headers, proxy.request().proxiedRequest().response());
            return proxy.sendResponse();
        }
    }

    /**
     * vertx-http-proxy (4.5) parses every response's {@code Date} into an {@link java.time.Instant} and
     * formats it back, about a tenth of the proxy's CPU time per request, and has no switch for it.
     * Handing it a response without {@code Date} leaves it the cheaper path; the service's own value
     * is put back just before the headers go out, so clients still see it unchanged.
     */
    private static void keepUpstreamDate(MultiMap headers, HttpServerResponse response) {
        String date = headers.get(HttpHeaders.DATE);
        if (date != null) {
            headers.remove(HttpHeaders.DATE);
            response.headersEndHandler(v -> response.headers().set(HttpHeaders.DATE, date));
        }
    }
}
