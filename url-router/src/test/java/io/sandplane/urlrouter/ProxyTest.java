package io.sandplane.urlrouter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.provisioner.SharedProvisionerResource;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.service.AuthMode;
import io.sandplane.urlrouter.proxy.ProxyServer;
import io.sandplane.urlrouter.support.EchoGuest;
import io.sandplane.urlrouter.support.Fixtures;
import io.sandplane.urlrouter.support.GuestAddresses;
import io.sandplane.urlrouter.support.ProxyClient;
import io.sandplane.urlrouter.support.ProxyClient.Response;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = SharedProvisionerResource.class, scope = TestResourceScope.GLOBAL)
class ProxyTest {

    private static final String DOMAIN = "sandplane.localhost:8088";

    @Inject
    ProxyServer proxy;

    ProxyClient client;

    @BeforeEach
    void connect() {
        client = new ProxyClient(proxy.port());
    }

    static String host(int vmid, int port) {
        return "port-" + port + "-vm-" + vmid + "." + DOMAIN;
    }

    @Test
    void eachRequestLandsOnTheRightGuestAndPort() {
        try (EchoGuest a = EchoGuest.start(39378, 5173); EchoGuest b = EchoGuest.start(39378)) {
            Fixtures.Sandbox sa = Fixtures.sandbox().ip(a.ip()).service("vscode", 39378, AuthMode.PUBLIC)
                    .service("preview", 5173, AuthMode.PUBLIC).insert();
            Fixtures.Sandbox sb = Fixtures.sandbox().ip(b.ip()).service("vscode", 39378, AuthMode.PUBLIC).insert();

            Response r1 = client.get(host(sa.vmid(), 39378), "/a?x=1");
            Response r2 = client.get(host(sa.vmid(), 5173), "/b");
            Response r3 = client.get(host(sb.vmid(), 39378), "/c");

            assertThat(r1.status()).isEqualTo(200);
            assertThat(r1.json().getString("guest")).isEqualTo(a.ip());
            assertThat(r1.json().getInteger("port")).isEqualTo(39378);
            assertThat(r1.json().getString("uri")).isEqualTo("/a?x=1");
            assertThat(r2.json().getString("guest")).isEqualTo(a.ip());
            assertThat(r2.json().getInteger("port")).isEqualTo(5173);
            assertThat(r3.json().getString("guest")).isEqualTo(b.ip());
            assertThat(r3.json().getInteger("port")).isEqualTo(39378);
        }
    }

    @Test
    void setsForwardedHeadersKeepsTheHostAndDropsClientSuppliedChains() {
        try (EchoGuest guest = EchoGuest.start(39378)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).service("vscode", 39378, AuthMode.PUBLIC).insert();
            Response r = client.get(host(s.vmid(), 39378), "/", Map.of("X-Forwarded-For", "6.6.6.6", "Forwarded", "for=6.6.6.6",
                    "X-Real-IP", "6.6.6.6"));
            assertThat(r.echoedHeader("x-forwarded-for")).isEqualTo("127.0.0.1");
            assertThat(r.echoedHeader("x-real-ip")).isEqualTo("127.0.0.1");
            assertThat(r.echoedHeader("x-forwarded-proto")).isEqualTo("http");
            assertThat(r.echoedHeader("x-forwarded-host")).isEqualTo(host(s.vmid(), 39378));
            assertThat(r.echoedHeader("host")).isEqualTo(host(s.vmid(), 39378));
            assertThat(r.echoedHeader("forwarded")).isNull();
        }
    }

    @Test
    void passesTheServicesDateOnUnchanged() {
        try (EchoGuest guest = EchoGuest.start(39378)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).service("vscode", 39378, AuthMode.PUBLIC).insert();
            Response dated = client.get(host(s.vmid(), 39378), "/?date=Sun,%2006%20Nov%201994%2008:49:37%20GMT");
            assertThat(dated.status()).isEqualTo(200);
            assertThat(dated.headers().getAll("date")).containsExactly("Sun, 06 Nov 1994 08:49:37 GMT");
            // A service that sends none still gets one (the proxy's own clock), as HTTP wants of an origin with a clock.
            assertThat(client.get(host(s.vmid(), 39378), "/").headers().get("date")).endsWith(" GMT");
        }
    }

    @Test
    void keepsClientConnectionsAlive() {
        try (EchoGuest guest = EchoGuest.start(39378)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).service("vscode", 39378, AuthMode.PUBLIC).insert();
            String request = "GET /one HTTP/1.1\r\nHost: " + host(s.vmid(), 39378) + "\r\n\r\n";
            String second = "GET /two HTTP/1.1\r\nHost: " + host(s.vmid(), 39378) + "\r\nConnection: close\r\n\r\n";
            String answer = client.rawUntilClosed(request + second);
            assertThat(answer).contains("\"uri\":\"/one\"").contains("\"uri\":\"/two\"");
            assertThat(answer.split("HTTP/1.1 200", -1)).hasSize(3);
        }
    }

    @Test
    void answersToHeadCarryNoBodyAndBothConnectionsCarryOn() throws Exception {
        // A service that frames its HEAD answers as chunked (allowed, and what many frameworks do): a proxy that
        // forgot the request was a HEAD would wait for chunks on the service's side or send a last chunk to the
        // client, and every answer after it on either connection would be shifted.
        String guest = GuestAddresses.next();
        try (ServerSocket service = new ServerSocket(0, 50, InetAddress.getByName(guest))) {
            Thread.ofVirtual().start(() -> answerHeadChunked(service));
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest).service("app", service.getLocalPort(), AuthMode.PUBLIC).insert();
            String host = host(s.vmid(), service.getLocalPort());
            // First a HEAD the proxy answers itself (an unexposed port: its 404 page), which must go without the page.
            String answer = client.rawUntilClosed("HEAD /page HTTP/1.1\r\nHost: " + host(s.vmid(), 22) + "\r\n\r\n"
                    + "HEAD /one HTTP/1.1\r\nHost: " + host + "\r\n\r\n"
                    + "GET /two HTTP/1.1\r\nHost: " + host + "\r\n\r\n"
                    + "HEAD /three HTTP/1.1\r\nHost: " + host + "\r\n\r\n"
                    + "GET /four HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            String[] answers = answer.split("HTTP/1.1 ", -1);
            assertThat(answers).as(answer).hasSize(6);
            assertThat(answers[1]).startsWith("404 ").contains("content-length: ");
            for (int head : new int[] {1, 2, 4}) {
                assertThat(answers[head].indexOf("\r\n\r\n")).as("headers only:%n%s", answers[head]).isEqualTo(answers[head].length() - 4);
            }
            assertThat(answers[3]).startsWith("200 OK\r\n").endsWith("\r\n\r\n5\r\n/two \r\n0\r\n\r\n");
            assertThat(answers[5]).startsWith("200 OK\r\n").endsWith("\r\n\r\n6\r\n/four \r\n0\r\n\r\n");
        }
    }

    /** Answers every request on every connection with chunked framing; the body (the path) only for a GET. */
    private static void answerHeadChunked(ServerSocket service) {
        while (!service.isClosed()) {
            try {
                Socket connection = service.accept();
                Thread.ofVirtual().start(() -> {
                    try (connection) {
                        var in = new java.io.BufferedReader(new java.io.InputStreamReader(connection.getInputStream(), StandardCharsets.ISO_8859_1));
                        String requestLine;
                        while ((requestLine = in.readLine()) != null) {
                            while (!in.readLine().isEmpty()) {
                                // headers: not needed
                            }
                            String[] parts = requestLine.split(" ");
                            String chunk = parts[1] + " ";
                            String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n";
                            String body = parts[0].equals("HEAD") ? "" : Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n";
                            connection.getOutputStream().write((head + body).getBytes(StandardCharsets.ISO_8859_1));
                        }
                    } catch (IOException | RuntimeException e) {
                        // the proxy closed the connection
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    @Test
    void streamsLargeUploadsAndDownloads() throws Exception {
        try (EchoGuest guest = EchoGuest.start(39378)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).service("vscode", 39378, AuthMode.PUBLIC).insert();
            int chunks = 512;
            byte[] chunk = new byte[64 * 1024];
            new java.util.Random(7).nextBytes(chunk);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < chunks; i++) {
                sha.update(chunk);
            }
            var body = new io.vertx.core.streams.ReadStream<Buffer>() {
                private io.vertx.core.Handler<Buffer> handler;
                private io.vertx.core.Handler<Void> end;
                private long demand = Long.MAX_VALUE;
                private int sent;

                @Override
                public io.vertx.core.streams.ReadStream<Buffer> exceptionHandler(io.vertx.core.Handler<Throwable> h) {
                    return this;
                }

                @Override
                public io.vertx.core.streams.ReadStream<Buffer> handler(io.vertx.core.Handler<Buffer> h) {
                    handler = h;
                    return this;
                }

                @Override
                public io.vertx.core.streams.ReadStream<Buffer> pause() {
                    demand = 0;
                    return this;
                }

                @Override
                public io.vertx.core.streams.ReadStream<Buffer> resume() {
                    return fetch(Long.MAX_VALUE);
                }

                @Override
                public io.vertx.core.streams.ReadStream<Buffer> fetch(long amount) {
                    demand = amount;
                    ProxyClient.vertx().runOnContext(v -> pump());
                    return this;
                }

                @Override
                public io.vertx.core.streams.ReadStream<Buffer> endHandler(io.vertx.core.Handler<Void> h) {
                    end = h;
                    return this;
                }

                private void pump() {
                    while (demand > 0 && sent < chunks && handler != null) {
                        sent++;
                        if (demand != Long.MAX_VALUE) {
                            demand--;
                        }
                        handler.handle(Buffer.buffer(chunk));
                    }
                    if (sent == chunks && end != null) {
                        io.vertx.core.Handler<Void> e = end;
                        end = null;
                        e.handle(null);
                    }
                }
            };
            Response upload = client.send(HttpMethod.POST, host(s.vmid(), 39378), "/upload", Map.of(), body);
            assertThat(upload.status()).isEqualTo(200);
            assertThat(upload.json().getLong("bytes")).isEqualTo((long) chunks * chunk.length);
            assertThat(upload.json().getString("sha256")).isEqualTo(HexFormat.of().formatHex(sha.digest()));

            Response download = client.get(host(s.vmid(), 39378), "/stream?chunks=512&size=65536");
            assertThat(download.status()).isEqualTo(200);
            assertThat(download.body().length()).isEqualTo(512 * 65536);
        }
    }

    @Test
    void streamsServerSentEventsAsTheyHappen() {
        try (EchoGuest guest = EchoGuest.start(39378)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).service("vscode", 39378, AuthMode.PUBLIC).insert();
            CompletableFuture<String> first = new CompletableFuture<>();
            CompletableFuture<String> all = new CompletableFuture<>();
            client.stream(host(s.vmid(), 39378), "/sse", first, all);
            // The first event arrives while the guest still holds the stream open: nothing is buffered.
            assertThat(ProxyClient.await(first, Duration.ofSeconds(10))).contains("data: first");
            assertThat(all).isNotDone();
            guest.releaseSse();
            assertThat(ProxyClient.await(all, Duration.ofSeconds(10))).contains("data: first").contains("data: second");
        }
    }

    // WebSocket routing, both directions, text and binary, large messages and the token flows run against
    // simulator guests (ProxySimulatorTest). The simulator's echo cannot show the two things below: it
    // negotiates no subprotocol, sends nothing of its own after the 101, and does not report the upgrade
    // request it received (URI, headers). So an in-test guest that does (like websockify for noVNC, which
    // asks for "binary" and speaks first) checks them.

    @Test
    void aWebSocketKeepsItsSubprotocolAndTheServicesFirstMessageAndLosesTheToken() {
        try (EchoGuest guest = EchoGuest.start(39380)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).token("tok-ws-1").service("vnc", 39380, AuthMode.TOKEN).insert();
            ProxyClient.Socket ws = client.webSocket(host(s.vmid(), 39380), "/websockify",
                    Map.of("Cookie", "sandplane_token=tok-ws-1; theme=dark"), "binary");
            // Sent by the guest right after its 101, before the client said anything: not lost in the switch.
            var helloJson = new io.vertx.core.json.JsonObject(ws.nextText());
            assertThat(helloJson.getString("guest")).isEqualTo(guest.ip());
            assertThat(helloJson.getInteger("port")).isEqualTo(39380);
            assertThat(helloJson.getJsonObject("headers").getJsonArray("sec-websocket-protocol").getString(0)).isEqualTo("binary");
            assertThat(ws.socket().subProtocol()).isEqualTo("binary");
            // The token never reaches the guest, other cookies do.
            assertThat(helloJson.getJsonObject("headers").getJsonArray("cookie").getString(0)).isEqualTo("theme=dark");
            ws.close();

            // The handshake answer reaches the browser as the guest gave it.
            String handshake = client.raw("GET /websockify HTTP/1.1\r\nHost: " + host(s.vmid(), 39380) + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Protocol: binary\r\nX-Sandplane-Token: tok-ws-1\r\n\r\n");
            assertThat(handshake).startsWith("HTTP/1.1 101").containsIgnoringCase("sec-websocket-protocol: binary")
                    .containsIgnoringCase("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        }
    }

    @Test
    void aWebSocketsQueryTokenIsRemovedFromTheUriTheServiceSees() {
        try (EchoGuest guest = EchoGuest.start(39383)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).token("tok-ws-2").service("xterm", 39383, AuthMode.TOKEN).insert();
            ProxyClient.Socket ws = client.webSocket(host(s.vmid(), 39383), "/socket?cols=80&sandplane_token=tok-ws-2", Map.of());
            var helloJson = new io.vertx.core.json.JsonObject(ws.nextText());
            assertThat(helloJson.getString("uri")).isEqualTo("/socket?cols=80");
            ws.close();
        }
    }

    @Test
    void tokenInAHeaderIsCheckedAndNeverForwarded() {
        try (EchoGuest guest = EchoGuest.start(39378)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).token("tok-header").service("vscode", 39378, AuthMode.TOKEN).insert();
            Response ok = client.get(host(s.vmid(), 39378), "/", Map.of("X-Sandplane-Token", "tok-header"));
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.echoedHeader("x-sandplane-token")).isNull();

            Response wrong = client.get(host(s.vmid(), 39378), "/", Map.of("X-Sandplane-Token", "tok-wrong"));
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.headers().get("content-type")).isEqualTo("application/problem+json");
            assertThat(wrong.json().getString("type")).isEqualTo("urn:sandplane:problem:unauthorized");

            Response missing = client.get(host(s.vmid(), 39378), "/", Map.of("Accept", "text/html,*/*"));
            assertThat(missing.status()).isEqualTo(401);
            assertThat(missing.headers().get("content-type")).startsWith("text/html");
            assertThat(missing.text()).contains("access token");
            assertThat(guest.requests()).isEqualTo(1);
        }
    }

    @Test
    void aQueryTokenIsExchangedForAnHttpOnlyHostOnlyCookieAndARedirect() {
        try (EchoGuest guest = EchoGuest.start(39378)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).token("tok-query").service("vscode", 39378, AuthMode.TOKEN).insert();
            Response redirect = client.get(host(s.vmid(), 39378), "/folder/?a=1&sandplane_token=tok-query&b=2");
            assertThat(redirect.status()).isEqualTo(303);
            // Absolute, on the same origin: no path can make it point elsewhere (see ProxyFramingTest for //evil.example).
            assertThat(redirect.headers().get("location")).isEqualTo("http://" + host(s.vmid(), 39378) + "/folder/?a=1&b=2");
            String cookie = redirect.headers().get("set-cookie");
            assertThat(cookie).startsWith("sandplane_token=tok-query;").contains("HttpOnly").contains("Path=/")
                    .doesNotContainIgnoringCase("domain=").doesNotContain("Secure");
            assertThat(guest.requests()).isZero();

            Response followed = client.get(host(s.vmid(), 39378), "/folder/?a=1&b=2", Map.of("Cookie", "sandplane_token=tok-query"));
            assertThat(followed.status()).isEqualTo(200);
            assertThat(followed.json().getString("uri")).isEqualTo("/folder/?a=1&b=2");
            assertThat(followed.echoedHeader("cookie")).isNull();

            // A path that would be another origin as a relative reference (//evil.example/) stays a path of this one.
            for (String path : List.of("//evil.example/", "///evil.example", "/\\evil.example/", "//evil.example:8088/x")) {
                Response open = client.get(host(s.vmid(), 39378), path + "?sandplane_token=tok-query");
                assertThat(open.status()).as(path).isEqualTo(303);
                assertThat(open.headers().get("location")).as(path).isEqualTo("http://" + host(s.vmid(), 39378) + path);
            }

            Response wrongQuery = client.get(host(s.vmid(), 39378), "/?sandplane_token=nope");
            assertThat(wrongQuery.status()).isEqualTo(401);
            assertThat(wrongQuery.headers().get("set-cookie")).isNull();
            Response wrongCookie = client.get(host(s.vmid(), 39378), "/", Map.of("Cookie", "sandplane_token=nope"));
            assertThat(wrongCookie.status()).isEqualTo(401);
        }
    }

    @Test
    void aSandboxWithoutATokenRefusesTokenServices() {
        try (EchoGuest guest = EchoGuest.start(39378)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).service("vscode", 39378, AuthMode.TOKEN).insert();
            assertThat(client.get(host(s.vmid(), 39378), "/", Map.of("X-Sandplane-Token", "")).status()).isEqualTo(401);
            assertThat(client.get(host(s.vmid(), 39378), "/?sandplane_token=").status()).isEqualTo(401);
        }
    }

    @Test
    void publicServicesNeedNoTokenAndStillNeverSeeOne() {
        try (EchoGuest guest = EchoGuest.start(5173)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).token("tok-public").service("preview", 5173, AuthMode.PUBLIC).insert();
            Response r = client.get(host(s.vmid(), 5173), "/p?sandplane_token=tok-public&q=1",
                    Map.of("X-Sandplane-Token", "tok-public", "Cookie", "sandplane_token=tok-public"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().getString("uri")).isEqualTo("/p?q=1");
            assertThat(r.echoedHeader("x-sandplane-token")).isNull();
            assertThat(r.echoedHeader("cookie")).isNull();
        }
    }

    @Test
    void aServiceThatDoesNotAnswerGetsA502Page() {
        try (EchoGuest guest = EchoGuest.start()) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).service("preview", 5173, AuthMode.PUBLIC).insert();
            Response json = client.get(host(s.vmid(), 5173), "/");
            assertThat(json.status()).isEqualTo(502);
            assertThat(json.json().getString("type")).isEqualTo("urn:sandplane:problem:bad-gateway");
            Response html = client.get(host(s.vmid(), 5173), "/", Map.of("Accept", "text/html"));
            assertThat(html.status()).isEqualTo(502);
            assertThat(html.text()).contains("did not answer");
        }
    }

    @Test
    void aPausedSandboxWithoutWakeOnHttpGetsA503Page() {
        try (EchoGuest guest = EchoGuest.start(5173)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).status(SandboxStatus.PAUSED)
                    .service("preview", 5173, AuthMode.PUBLIC).insert();
            Response r = client.get(host(s.vmid(), 5173), "/", Map.of("Accept", "text/html"));
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.text()).contains("paused");
            assertThat(guest.requests()).isZero();
        }
    }

    @Test
    void pausingDeletingOrHidingStopsRoutingWithinASecond() {
        try (EchoGuest guest = EchoGuest.start(5173, 39378)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).service("preview", 5173, AuthMode.PUBLIC)
                    .service("vscode", 39378, AuthMode.PUBLIC).insert();
            assertThat(client.get(host(s.vmid(), 5173), "/").status()).isEqualTo(200);
            assertThat(client.get(host(s.vmid(), 39378), "/").status()).isEqualTo(200);

            Fixtures.update("delete from sandbox_services where sandbox_id = ? and name = 'vscode'", s.id());
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> client.get(host(s.vmid(), 39378), "/").status() == 404);

            Fixtures.setStatus(s.id(), SandboxStatus.PAUSED);
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> client.get(host(s.vmid(), 5173), "/").status() == 503);

            Fixtures.setStatus(s.id(), SandboxStatus.RUNNING);
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> client.get(host(s.vmid(), 5173), "/").status() == 200);

            Fixtures.delete(s.id());
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> client.get(host(s.vmid(), 5173), "/").status() == 404);
        }
    }

    @Test
    void followsAnAddressChange() {
        try (EchoGuest before = EchoGuest.start(5173); EchoGuest after = EchoGuest.start(5173)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(before.ip()).service("preview", 5173, AuthMode.PUBLIC).insert();
            assertThat(client.get(host(s.vmid(), 5173), "/").json().getString("guest")).isEqualTo(before.ip());
            Fixtures.setIp(s.id(), after.ip());
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> after.ip().equals(client.get(host(s.vmid(), 5173), "/").json().getString("guest")));
        }
    }

    @Test
    void answersCorsPreflightsForAllowedOriginsWithoutATokenOrTheGuest() {
        try (EchoGuest guest = EchoGuest.start(39377)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).token("tok-cors").service("worker", 39377, AuthMode.TOKEN).insert();
            Response preflight = client.send(HttpMethod.OPTIONS, host(s.vmid(), 39377), "/api", Map.of("Origin", "https://ide.example",
                    "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "x-sandplane-token"), null);
            assertThat(preflight.status()).isEqualTo(204);
            assertThat(preflight.headers().get("access-control-allow-origin")).isEqualTo("https://ide.example");
            assertThat(preflight.headers().get("access-control-allow-credentials")).isEqualTo("true");
            assertThat(preflight.headers().get("access-control-allow-headers")).isEqualTo("x-sandplane-token");

            Response other = client.send(HttpMethod.OPTIONS, host(s.vmid(), 39377), "/api", Map.of("Origin", "https://evil.example",
                    "Access-Control-Request-Method", "POST"), null);
            assertThat(other.status()).isEqualTo(204);
            assertThat(other.headers().get("access-control-allow-origin")).isNull();

            Response actual = client.get(host(s.vmid(), 39377), "/api", Map.of("Origin", "https://ide.example", "X-Sandplane-Token", "tok-cors"));
            assertThat(actual.status()).isEqualTo(200);
            assertThat(actual.headers().get("access-control-allow-origin")).isEqualTo("https://ide.example");
            assertThat(guest.requests()).isEqualTo(1);
        }
    }

    @Test
    void neverServesTheRouterItself() {
        try (EchoGuest guest = EchoGuest.start(5173)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).service("preview", 5173, AuthMode.PUBLIC).insert();
            Response internal = client.get("localhost", "/internal/sandboxes/" + s.id() + "/services",
                    Map.of("X-Sandplane-Internal-Token", "test-internal-token-not-secret"));
            assertThat(internal.status()).isEqualTo(404);
            assertThat(internal.json().getString("type")).isEqualTo("urn:sandplane:problem:not-found");
            assertThat(client.get("localhost", "/q/health").status()).isEqualTo(404);
            assertThat(client.get("localhost", "/q/metrics").status()).isEqualTo(404);
            // Through a sandbox's host the same paths are the sandbox's own.
            Response viaSandbox = client.get(host(s.vmid(), 5173), "/q/health");
            assertThat(viaSandbox.json().getString("guest")).isEqualTo(guest.ip());
        }
    }
}
