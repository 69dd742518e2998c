package io.sandplane.urlrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.sandplane.model.Secrets;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.network.Cidr;
import io.sandplane.model.service.AuthMode;
import io.sandplane.urlrouter.config.RouterConfig;
import io.sandplane.urlrouter.proxy.ProxyDecision.Answer;
import io.sandplane.urlrouter.proxy.ProxyDecision.ExchangeToken;
import io.sandplane.urlrouter.proxy.ProxyDecision.Forward;
import io.sandplane.urlrouter.proxy.ProxyDecision.Preflight;
import io.sandplane.urlrouter.proxy.ProxyDecision.Verdict;
import io.sandplane.urlrouter.proxy.ProxyDecision.Wake;
import io.sandplane.urlrouter.network.SandboxNetwork;
import io.sandplane.urlrouter.proxy.ProxyDecision.RefuseAddress;
import io.sandplane.urlrouter.service.Route;
import io.sandplane.urlrouter.service.ServiceAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every rule of {@link ProxyDecision}, without sockets or a database. */
class ProxyDecisionTest {

    private static final String HOST = "port-39378-vm-100.sandplane.example";
    private static final String TOKEN = "tok-secret";
    private static final int PORT = 39378;
    private static final ServiceAddress GUEST = new ServiceAddress.Ip(Cidr.parseAddress("10.0.0.5").orElseThrow());

    private final ProxyDecision decision = new ProxyDecision(new Cors(cors(List.of("https://ide.example"))), "https");
    private final ProxyDecision withoutCors = new ProxyDecision(new Cors(cors(List.of())), "https");

    @Test
    void noRouteAnUnexposedPortOrASandboxThatServesNothingIsTheOne404() {
        assertThat(decision.decide(Optional.empty(), PORT, get("/"), false)).isSameAs(ProxyDecision.NOT_FOUND);
        assertThat(decision.decide(Optional.of(route(SandboxStatus.RUNNING, AuthMode.PUBLIC)), 5173, get("/"), false))
                .isSameAs(ProxyDecision.NOT_FOUND);
        for (SandboxStatus status : EnumSet.of(SandboxStatus.PROVISIONING, SandboxStatus.DELETING, SandboxStatus.DELETED,
                SandboxStatus.FAILED, SandboxStatus.LOST)) {
            assertThat(decision.decide(Optional.of(route(status, AuthMode.PUBLIC)), PORT, get("/"), false)).as(status.name())
                    .isSameAs(ProxyDecision.NOT_FOUND);
            // A valid token changes nothing: there is nothing to reach.
            assertThat(decision.decide(Optional.of(route(status, AuthMode.TOKEN)), PORT, get("/?sandplane_token=" + TOKEN), false))
                    .as(status.name()).isSameAs(ProxyDecision.NOT_FOUND);
        }
    }

    @Test
    void aPublicServiceIsForwardedWithAnyQueryTokenRemoved() {
        Optional<Route> route = Optional.of(route(SandboxStatus.RUNNING, AuthMode.PUBLIC));
        assertThat(decision.decide(route, PORT, get("/a?x=1"), false)).isEqualTo(new Forward("/a?x=1", false));
        assertThat(decision.decide(route, PORT, get("/a?sandplane_token=whatever&x=1"), false)).isEqualTo(new Forward("/a?x=1", false));
        assertThat(decision.decide(route, PORT, webSocket("/ws"), false)).isEqualTo(new Forward("/ws", true));
    }

    @Test
    void aTokenServiceNeedsTheSandboxsTokenInTheHeaderTheCookieOrTheQuery() {
        Optional<Route> route = Optional.of(route(SandboxStatus.RUNNING, AuthMode.TOKEN));
        assertThat(decision.decide(route, PORT, get("/"), false)).isSameAs(ProxyDecision.UNAUTHORIZED);
        assertThat(decision.decide(route, PORT, get("/", "X-Sandplane-Token", "nope"), false)).isSameAs(ProxyDecision.UNAUTHORIZED);
        assertThat(decision.decide(route, PORT, get("/", "X-Sandplane-Token", ""), false)).isSameAs(ProxyDecision.UNAUTHORIZED);
        assertThat(decision.decide(route, PORT, get("/", "Cookie", "sandplane_token=nope"), false)).isSameAs(ProxyDecision.UNAUTHORIZED);
        assertThat(decision.decide(route, PORT, get("/", "Cookie", "xsandplane_token=" + TOKEN), false)).isSameAs(ProxyDecision.UNAUTHORIZED);
        assertThat(decision.decide(route, PORT, get("/", "Authorization", "Bearer " + TOKEN), false)).isSameAs(ProxyDecision.UNAUTHORIZED);

        assertThat(decision.decide(route, PORT, get("/p", "X-Sandplane-Token", TOKEN), false)).isEqualTo(new Forward("/p", false));
        assertThat(decision.decide(route, PORT, get("/p", "Cookie", "a=b; sandplane_token=" + TOKEN), false))
                .isEqualTo(new Forward("/p", false));
        // One good value among several headers is enough: the header carries the token, not a claim about others.
        HttpRequest two = get("/p", "X-Sandplane-Token", "nope");
        two.headers().add("X-Sandplane-Token", TOKEN);
        assertThat(decision.decide(route, PORT, two, false)).isEqualTo(new Forward("/p", false));
    }

    @Test
    void aValidQueryTokenIsTradedForACookieWithARedirectToTheSameOrigin() {
        Optional<Route> route = Optional.of(route(SandboxStatus.RUNNING, AuthMode.TOKEN));
        assertThat(decision.decide(route, PORT, get("/folder/?a=1&sandplane_token=" + TOKEN + "&b=2"), false))
                .isEqualTo(new ExchangeToken("https://" + HOST + "/folder/?a=1&b=2", TOKEN, HttpResponseStatus.SEE_OTHER));
        HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/form?sandplane_token=" + TOKEN);
        post.headers().set("Host", HOST);
        assertThat(decision.decide(route, PORT, post, false))
                .isEqualTo(new ExchangeToken("https://" + HOST + "/form", TOKEN, HttpResponseStatus.TEMPORARY_REDIRECT));
        // Every query token must be the sandbox's, even next to a good one.
        assertThat(decision.decide(route, PORT, get("/?sandplane_token=" + TOKEN + "&sandplane_token=nope"), false))
                .isSameAs(ProxyDecision.UNAUTHORIZED);
        assertThat(decision.decide(route, PORT, get("/?sandplane_token=nope", "X-Sandplane-Token", TOKEN), false))
                .isSameAs(ProxyDecision.UNAUTHORIZED);
        // A WebSocket cannot follow a redirect: the query token lets it through, and is removed on the way.
        assertThat(decision.decide(route, PORT, webSocket("/ws?sandplane_token=" + TOKEN + "&x=1"), false))
                .isEqualTo(new Forward("/ws?x=1", true));
    }

    @Test
    void theRedirectNeverLeavesTheOriginWhateverThePathLooksLike() {
        Optional<Route> route = Optional.of(route(SandboxStatus.RUNNING, AuthMode.TOKEN));
        for (String path : List.of("//evil.example/", "//evil.example", "///evil.example/x", "/\\evil.example/", "/\\/evil.example",
                "//evil.example:443/a?b", "/%2F%2Fevil.example/", "//@evil.example/", "//user:pass@evil.example/", "/.//evil.example/")) {
            Verdict verdict = decision.decide(route, PORT, get(path + (path.contains("?") ? "&" : "?") + "sandplane_token=" + TOKEN), false);
            assertThat(verdict).as(path).isInstanceOf(ExchangeToken.class);
            String location = ((ExchangeToken) verdict).location();
            assertThat(location).as(path).startsWith("https://" + HOST + "/");
            assertThat(java.net.URI.create(location.replace("\\", "%5C")).getHost()).as(path).isEqualTo(HOST);
            assertThat(location).as(path).doesNotContain(TOKEN);
        }
    }

    @Test
    void corsPreflightsAreAnsweredByTheProxyOnlyWhenOriginsAreConfiguredAndOnlyForARoute() {
        HttpRequest preflight = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.OPTIONS, "/api");
        preflight.headers().set("Host", HOST).set("Origin", "https://ide.example").set("Access-Control-Request-Method", "POST");
        Optional<Route> token = Optional.of(route(SandboxStatus.RUNNING, AuthMode.TOKEN));
        assertThat(decision.decide(token, PORT, preflight, false)).isInstanceOf(Preflight.class);
        assertThat(decision.decide(Optional.empty(), PORT, preflight, false)).isSameAs(ProxyDecision.NOT_FOUND);
        // Without configured origins a preflight is a request like any other: a token service refuses it.
        assertThat(withoutCors.decide(token, PORT, preflight, false)).isSameAs(ProxyDecision.UNAUTHORIZED);
        assertThat(withoutCors.decide(Optional.of(route(SandboxStatus.RUNNING, AuthMode.PUBLIC)), PORT, preflight, false))
                .isEqualTo(new Forward("/api", false));
        // An OPTIONS without the preflight's headers is no preflight.
        HttpRequest options = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.OPTIONS, "/api");
        options.headers().set("Host", HOST).set("Origin", "https://ide.example");
        assertThat(decision.decide(token, PORT, options, false)).isSameAs(ProxyDecision.UNAUTHORIZED);
    }

    @Test
    void aSleepingSandboxIsWokenOnlyWhenItAskedForItAndOnlyForAnAuthorisedRequest() {
        for (SandboxStatus sleeping : EnumSet.of(SandboxStatus.PAUSED, SandboxStatus.STOPPED)) {
            Optional<Route> waking = Optional.of(route(sleeping, AuthMode.TOKEN, true, GUEST));
            Optional<Route> notWaking = Optional.of(route(sleeping, AuthMode.TOKEN, false, GUEST));
            HttpRequest authorised = get("/", "X-Sandplane-Token", TOKEN);
            assertThat(decision.decide(waking, PORT, authorised, false)).isInstanceOf(Wake.class);
            assertThat(decision.decide(waking, PORT, get("/"), false)).isSameAs(ProxyDecision.UNAUTHORIZED);
            assertThat(decision.decide(notWaking, PORT, authorised, false)).isSameAs(ProxyDecision.PAUSED);
            // Woken and still not running: try again later, never a second wake from the same request.
            assertThat(decision.decide(waking, PORT, authorised, true)).isSameAs(ProxyDecision.STILL_WAKING);
            assertThat(ProxyDecision.STILL_WAKING.retryAfterSeconds()).isEqualTo(5);
        }
    }

    @Test
    void aRunningSandboxWithoutAnAddressIsA502() {
        Optional<Route> route = Optional.of(route(SandboxStatus.RUNNING, AuthMode.PUBLIC, false, null));
        assertThat(decision.decide(route, PORT, get("/"), false)).isSameAs(ProxyDecision.NO_ADDRESS);
    }

    @Test
    void aRecordedAddressTheNetworkRefusesIsNeverForwardedToButOnlyAnAuthorisedRequestLearnsOfIt() {
        ServiceAddress.Refused outside = new ServiceAddress.Refused("192.0.2.7", SandboxNetwork.Verdict.OUTSIDE_POOL);
        Optional<Route> refused = Optional.of(route(SandboxStatus.RUNNING, AuthMode.TOKEN, false, outside));
        assertThat(decision.decide(refused, PORT, get("/", "X-Sandplane-Token", TOKEN), false)).isEqualTo(new RefuseAddress(outside));
        assertThat(decision.decide(refused, PORT, webSocket("/?sandplane_token=" + TOKEN), false)).isEqualTo(new RefuseAddress(outside));
        // Without the token: the usual 401, nothing said about the address.
        assertThat(decision.decide(refused, PORT, get("/"), false)).isSameAs(ProxyDecision.UNAUTHORIZED);
        // A public service refuses everyone the same way, after the other rules.
        Optional<Route> publicRefused = Optional.of(route(SandboxStatus.RUNNING, AuthMode.PUBLIC, false, outside));
        assertThat(decision.decide(publicRefused, PORT, get("/"), false)).isEqualTo(new RefuseAddress(outside));
        assertThat(decision.decide(publicRefused, 5173, get("/"), false)).isSameAs(ProxyDecision.NOT_FOUND);
        assertThat(decision.decide(Optional.of(route(SandboxStatus.PAUSED, AuthMode.PUBLIC, false, outside)), PORT, get("/"), false))
                .isSameAs(ProxyDecision.PAUSED);
        assertThat(ProxyDecision.ADDRESS_REFUSED.page()).as("the page of a service that does not answer").isEqualTo(ProxyPages.Page.BAD_GATEWAY);
        assertThat(ProxyDecision.ADDRESS_REFUSED.outcome()).isEqualTo(ProxyMetrics.Outcome.ADDRESS_REFUSED);
    }

    @Test
    void aSandboxTheAuditFoundUnisolatedIsNeverForwardedToButOnlyAnAuthorisedRequestLearnsOfIt() {
        Optional<Route> token = Optional.of(unisolated(SandboxStatus.RUNNING, AuthMode.TOKEN, false));
        assertThat(decision.decide(token, PORT, get("/", "X-Sandplane-Token", TOKEN), false)).isSameAs(ProxyDecision.NOT_ISOLATED);
        assertThat(decision.decide(token, PORT, get("/?sandplane_token=" + TOKEN), false))
                .as("the token is still traded for a cookie: the next request is answered 502 too")
                .isInstanceOf(ProxyDecision.ExchangeToken.class);
        assertThat(decision.decide(token, PORT, webSocket("/?sandplane_token=" + TOKEN), false)).isSameAs(ProxyDecision.NOT_ISOLATED);
        assertThat(decision.decide(token, PORT, get("/"), false)).isSameAs(ProxyDecision.UNAUTHORIZED);
        assertThat(decision.decide(Optional.of(unisolated(SandboxStatus.RUNNING, AuthMode.PUBLIC, false)), PORT, get("/"), false))
                .isSameAs(ProxyDecision.NOT_ISOLATED);
        assertThat(decision.decide(Optional.of(unisolated(SandboxStatus.RUNNING, AuthMode.PUBLIC, false)), PORT + 1, get("/"), false))
                .isSameAs(ProxyDecision.NOT_FOUND);
        // Asleep, it is woken as usual; once running it is judged again (and refused while the problem is recorded).
        assertThat(decision.decide(Optional.of(unisolated(SandboxStatus.PAUSED, AuthMode.PUBLIC, true)), PORT, get("/"), false))
                .isInstanceOf(ProxyDecision.Wake.class);
        assertThat(ProxyDecision.NOT_ISOLATED.page()).as("the page of a service that does not answer").isEqualTo(ProxyPages.Page.BAD_GATEWAY);
        assertThat(ProxyDecision.NOT_ISOLATED.outcome()).isEqualTo(ProxyMetrics.Outcome.NOT_ISOLATED);
    }

    @Test
    void aServiceRecordedByNameIsForwardedItsAddressIsJudgedWhenConnecting() {
        Optional<Route> named = Optional.of(route(SandboxStatus.RUNNING, AuthMode.PUBLIC, false, new ServiceAddress.Name("sbx-1.lan")));
        assertThat(decision.decide(named, PORT, get("/"), false)).isEqualTo(new Forward("/", false));
    }

    @Test
    void aSandboxWithoutAnAccessTokenRefusesEveryTokenRequest() {
        Route route = new Route("sbx_1", 100, SandboxStatus.RUNNING, GUEST, false, null, true, Map.of(PORT, AuthMode.TOKEN));
        assertThat(decision.decide(Optional.of(route), PORT, get("/", "X-Sandplane-Token", TOKEN), false))
                .isSameAs(ProxyDecision.UNAUTHORIZED);
        assertThat(decision.decide(Optional.of(route), PORT, get("/?sandplane_token="), false)).isSameAs(ProxyDecision.UNAUTHORIZED);
    }

    @Test
    void onlyAGetWithUpgradeWebsocketAndConnectionUpgradeIsAWebSocketHandshake() {
        assertThat(ProxyDecision.isWebSocketUpgrade(webSocket("/"))).isTrue();
        HttpRequest keepAliveUpgrade = get("/", "Upgrade", "WebSocket");
        keepAliveUpgrade.headers().set("Connection", "keep-alive, Upgrade");
        assertThat(ProxyDecision.isWebSocketUpgrade(keepAliveUpgrade)).isTrue();
        assertThat(ProxyDecision.isWebSocketUpgrade(get("/", "Upgrade", "websocket"))).isFalse();
        assertThat(ProxyDecision.isWebSocketUpgrade(get("/", "Upgrade", "h2c"))).isFalse();
        HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
        post.headers().set("Upgrade", "websocket").set("Connection", "upgrade");
        assertThat(ProxyDecision.isWebSocketUpgrade(post)).isFalse();
    }

    @Test
    void answersCarryTheirPageAndOutcome() {
        assertThat(ProxyDecision.NOT_FOUND).isEqualTo(new Answer(ProxyPages.Page.NOT_FOUND, ProxyMetrics.Outcome.NOT_FOUND, null));
        assertThat(ProxyDecision.UNAUTHORIZED.page().status()).isEqualTo(401);
        assertThat(ProxyDecision.PAUSED.page().status()).isEqualTo(503);
        assertThat(ProxyDecision.NO_ADDRESS.page().status()).isEqualTo(502);
    }

    private static Route route(SandboxStatus status, AuthMode auth) {
        return route(status, auth, false, GUEST);
    }

    private static Route route(SandboxStatus status, AuthMode auth, boolean wakeOnHttp, ServiceAddress address) {
        return new Route("sbx_1", 100, status, address, wakeOnHttp, Secrets.sha256Hex(TOKEN), true, Map.of(PORT, auth));
    }

    private static Route unisolated(SandboxStatus status, AuthMode auth, boolean wakeOnHttp) {
        return new Route("sbx_1", 100, status, GUEST, wakeOnHttp, Secrets.sha256Hex(TOKEN), false, Map.of(PORT, auth));
    }

    private static HttpRequest get(String uri, String... headerPairs) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers().set("Host", HOST);
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return request;
    }

    private static HttpRequest webSocket(String uri) {
        return get(uri, "Upgrade", "websocket", "Connection", "Upgrade");
    }

    static RouterConfig.Cors cors(List<String> origins) {
        return new RouterConfig.Cors() {
            @Override
            public Optional<List<String>> allowedOrigins() {
                return Optional.of(origins);
            }

            @Override
            public List<String> allowedMethods() {
                return List.of("GET", "POST");
            }

            @Override
            public Optional<List<String>> allowedHeaders() {
                return Optional.empty();
            }

            @Override
            public boolean allowCredentials() {
                return true;
            }

            @Override
            public Duration maxAge() {
                return Duration.ofMinutes(10);
            }
        };
    }
}
