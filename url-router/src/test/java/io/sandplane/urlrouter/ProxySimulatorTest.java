package io.sandplane.urlrouter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.simulator.SimGuest;
import io.sandplane.devsupport.provisioner.SharedProvisionerResource;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.service.AuthMode;
import io.sandplane.urlrouter.proxy.ProxyServer;
import io.sandplane.urlrouter.support.Fixtures;
import io.sandplane.urlrouter.support.ProxyClient;
import io.sandplane.urlrouter.support.ProxyClient.Response;
import io.sandplane.urlrouter.support.SimGuests;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy in front of pve-simulator guests (real loopback listeners the simulator opens for each
 * running guest): every answer names the guest's VMID, address and port, so each assertion proves
 * where the request landed.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = SharedProvisionerResource.class, scope = TestResourceScope.GLOBAL)
class ProxySimulatorTest {

    @Inject
    ProxyServer proxy;

    ProxyClient client;

    @BeforeEach
    void connect() {
        client = new ProxyClient(proxy.port());
    }

    private static String host(int vmid, int port) {
        return "port-" + port + "-vm-" + vmid + ".sandplane.localhost:8088";
    }

    private static Fixtures.Sandbox sandboxOn(SimGuest guest, String token) {
        return Fixtures.sandbox().vmid(guest.vmid()).ip(guest.address()).token(token)
                .service("worker", 39377, AuthMode.TOKEN).service("vscode", 39378, AuthMode.TOKEN)
                .service("vnc", 39380, AuthMode.TOKEN).service("xterm", 39383, AuthMode.TOKEN)
                .service("preview", 5173, AuthMode.PUBLIC).insert();
    }

    @Test
    void eachRequestLandsOnTheGuestAndPortItsHostNames() {
        SimGuest a = SimGuests.running();
        SimGuest b = SimGuests.running();
        try {
            sandboxOn(a, "tok-a");
            sandboxOn(b, "tok-b");
            for (SimGuest guest : new SimGuest[] { a, b }) {
                String token = guest == a ? "tok-a" : "tok-b";
                for (int port : new int[] { 39377, 39378, 39380, 39383, 5173 }) {
                    Response r = client.get(host(guest.vmid(), port), "/some/path?q=1", Map.of("X-Sandplane-Token", token));
                    assertThat(r.status()).as("vm %d port %d", guest.vmid(), port).isEqualTo(200);
                    JsonObject echo = r.json();
                    assertThat(echo.getInteger("vmid")).isEqualTo(guest.vmid());
                    assertThat(echo.getString("guestIp")).isEqualTo(guest.address());
                    assertThat(echo.getInteger("port")).isEqualTo(port);
                    assertThat(echo.getString("path")).isEqualTo("/some/path");
                    assertThat(echo.getString("query")).isEqualTo("q=1");
                    JsonObject headers = echo.getJsonObject("headers");
                    assertThat(headers.getString("host")).isEqualTo(host(guest.vmid(), port));
                    assertThat(headers.getString("x-forwarded-for")).isEqualTo("127.0.0.1");
                    assertThat(headers.getString("x-forwarded-proto")).isEqualTo("http");
                    assertThat(headers.getString("x-forwarded-host")).isEqualTo(host(guest.vmid(), port));
                    assertThat(headers.containsKey("x-sandplane-token")).isFalse();
                }
            }
            // B's token does not open A.
            assertThat(client.get(host(a.vmid(), 39378), "/", Map.of("X-Sandplane-Token", "tok-b")).status()).isEqualTo(401);
        } finally {
            SimGuests.remove(a);
            SimGuests.remove(b);
        }
    }

    @Test
    void streamsARequestBodyUpAndBackAndALargeDownload() {
        SimGuest guest = SimGuests.running();
        try {
            sandboxOn(guest, "tok-stream");
            byte[] payload = new byte[8 * 1024 * 1024];
            new Random(42).nextBytes(payload);
            Response up = client.send(HttpMethod.POST, host(guest.vmid(), 39377), "/echo/body",
                    Map.of("X-Sandplane-Token", "tok-stream", "Content-Type", "application/octet-stream"),
                    new io.vertx.core.streams.ReadStream<>() {
                        private io.vertx.core.Handler<Buffer> handler;
                        private io.vertx.core.Handler<Void> end;

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
                            return this;
                        }

                        @Override
                        public io.vertx.core.streams.ReadStream<Buffer> resume() {
                            return fetch(Long.MAX_VALUE);
                        }

                        @Override
                        public io.vertx.core.streams.ReadStream<Buffer> fetch(long amount) {
                            ProxyClient.vertx().runOnContext(v -> {
                                if (handler != null) {
                                    io.vertx.core.Handler<Buffer> h = handler;
                                    handler = null;
                                    for (int off = 0; off < payload.length; off += 65536) {
                                        h.handle(Buffer.buffer(java.util.Arrays.copyOfRange(payload, off, off + 65536)));
                                    }
                                    if (end != null) {
                                        end.handle(null);
                                    }
                                }
                            });
                            return this;
                        }

                        @Override
                        public io.vertx.core.streams.ReadStream<Buffer> endHandler(io.vertx.core.Handler<Void> h) {
                            end = h;
                            return this;
                        }
                    });
            assertThat(up.status()).isEqualTo(200);
            assertThat(up.headers().get("x-echo-vmid")).isEqualTo(Integer.toString(guest.vmid()));
            assertThat(up.body().getBytes()).isEqualTo(payload);

            Response down = client.get(host(guest.vmid(), 39378), "/echo/bytes?n=" + (64 * 1024 * 1024),
                    Map.of("X-Sandplane-Token", "tok-stream"));
            assertThat(down.status()).isEqualTo(200);
            assertThat(down.headers().get("x-echo-port")).isEqualTo("39378");
            assertThat(down.body().length()).isEqualTo(64 * 1024 * 1024);
        } finally {
            SimGuests.remove(guest);
        }
    }

    @Test
    void serverSentEventsArriveOneByOne() {
        SimGuest guest = SimGuests.running();
        try {
            sandboxOn(guest, "tok-sse");
            CompletableFuture<String> first = new CompletableFuture<>();
            CompletableFuture<String> all = new CompletableFuture<>();
            // Five events 400 ms apart; the preview port is public.
            client.stream(host(guest.vmid(), 5173), "/echo/sse?count=5&interval_ms=400", first, all);
            String early = ProxyClient.await(first, Duration.ofSeconds(10));
            assertThat(early).contains("vm " + guest.vmid() + " port 5173");
            assertThat(all).as("the stream is still open after its first chunk").isNotDone();
            String whole = ProxyClient.await(all, Duration.ofSeconds(20));
            assertThat(whole).contains("\"seq\":1").contains("\"seq\":5").contains("\"vmid\":" + guest.vmid());
        } finally {
            SimGuests.remove(guest);
        }
    }

    @Test
    void theQueryTokenFlowWorksAgainstAGuest() {
        SimGuest guest = SimGuests.running();
        try {
            sandboxOn(guest, "tok-xterm");
            Response redirect = client.get(host(guest.vmid(), 39383), "/?sandplane_token=tok-xterm&cols=80");
            assertThat(redirect.status()).isEqualTo(303);
            assertThat(redirect.headers().get("location")).isEqualTo("http://" + host(guest.vmid(), 39383) + "/?cols=80");
            String cookie = redirect.headers().get("set-cookie").split(";")[0];
            Response page = client.get(host(guest.vmid(), 39383), "/?cols=80", Map.of("Cookie", cookie + "; term=xterm"));
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.json().getInteger("vmid")).isEqualTo(guest.vmid());
            assertThat(page.json().getString("query")).isEqualTo("cols=80");
            assertThat(page.json().getJsonObject("headers").getString("cookie")).isEqualTo("term=xterm");
        } finally {
            SimGuests.remove(guest);
        }
    }

    @Test
    void webSocketsLandOnTheGuestAndPortTheirHostNamesBothWays() {
        SimGuest a = SimGuests.running();
        SimGuest b = SimGuests.running();
        try {
            sandboxOn(a, "tok-ws-a");
            sandboxOn(b, "tok-ws-b");
            for (SimGuest guest : new SimGuest[] { a, b }) {
                String token = guest == a ? "tok-ws-a" : "tok-ws-b";
                for (int port : new int[] { 39377, 39378, 39380, 39383, 5173 }) {
                    String prefix = "vm " + guest.vmid() + " port " + port + ": ";
                    ProxyClient.Socket ws = client.webSocket(host(guest.vmid(), port), "/ws", Map.of("X-Sandplane-Token", token));
                    ws.socket().writeTextMessage("hello");
                    assertThat(ws.nextText()).isEqualTo(prefix + "hello");
                    ws.socket().writeBinaryMessage(Buffer.buffer(new byte[] { 1, 2, 3 }));
                    assertThat(((Buffer) ws.next()).getBytes()).isEqualTo(Buffer.buffer(prefix).appendBytes(new byte[] { 1, 2, 3 }).getBytes());
                    ws.close();
                }
            }
            // Upgrades need the token like any request; B's token does not open A.
            Map<String, String> upgrade = Map.of("Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Version", "13",
                    "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
            assertThat(client.get(host(a.vmid(), 39383), "/ws", upgrade).status()).isEqualTo(401);
            Map<String, String> wrongToken = new java.util.HashMap<>(upgrade);
            wrongToken.put("X-Sandplane-Token", "tok-ws-b");
            assertThat(client.get(host(a.vmid(), 39383), "/ws", wrongToken).status()).isEqualTo(401);
        } finally {
            SimGuests.remove(a);
            SimGuests.remove(b);
        }
    }

    @Test
    void aWebSocketAuthenticatesWithTheQueryTokenOrTheCookieAndCarriesLargeMessages() {
        SimGuest guest = SimGuests.running();
        try {
            sandboxOn(guest, "tok-ws-big");
            String prefix = "vm " + guest.vmid() + " port 39383: ";
            // A browser's WebSocket cannot send headers: the query token (xterm.js) or the cookie set earlier (noVNC).
            ProxyClient.Socket byQuery = client.webSocket(host(guest.vmid(), 39383), "/xterm?cols=80&sandplane_token=tok-ws-big", Map.of());
            byQuery.socket().writeTextMessage("ls");
            assertThat(byQuery.nextText()).isEqualTo(prefix + "ls");
            byte[] big = new byte[4 * 1024 * 1024];
            new Random(7).nextBytes(big);
            byQuery.socket().writeBinaryMessage(Buffer.buffer(big));
            Buffer echoed = (Buffer) byQuery.next();
            assertThat(echoed.length()).isEqualTo(prefix.length() + big.length);
            assertThat(echoed.getBytes(prefix.length(), echoed.length())).isEqualTo(big);
            byQuery.close();

            ProxyClient.Socket byCookie = client.webSocket(host(guest.vmid(), 39380), "/websockify",
                    Map.of("Cookie", "sandplane_token=tok-ws-big; theme=dark"));
            byCookie.socket().writeTextMessage("RFB");
            assertThat(byCookie.nextText()).isEqualTo("vm " + guest.vmid() + " port 39380: RFB");
            byCookie.close();
        } finally {
            SimGuests.remove(guest);
        }
    }

    @Test
    void recordsActivityThrottledAndWhileAWebSocketIsOpen() {
        SimGuest guest = SimGuests.running();
        try {
            Fixtures.Sandbox s = sandboxOn(guest, "tok-activity");
            assertThat(Fixtures.lastActivity(s.id())).isEmpty();
            client.get(host(guest.vmid(), 5173), "/");
            await().atMost(Duration.ofSeconds(5)).until(() -> Fixtures.lastActivity(s.id()).isPresent());
            Instant first = Fixtures.lastActivity(s.id()).orElseThrow();
            // Within the interval (1 s in tests), more requests write nothing.
            client.get(host(guest.vmid(), 5173), "/");
            client.get(host(guest.vmid(), 5173), "/");
            assertThat(Fixtures.lastActivity(s.id())).contains(first);

            ProxyClient.Socket ws = client.webSocket(host(guest.vmid(), 5173), "/", Map.of());
            ws.socket().writeTextMessage("once");
            assertThat(ws.nextText()).endsWith("once");
            // No request and no message while the socket stays open, yet the sandbox stays active.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Fixtures.lastActivity(s.id()).orElseThrow().isAfter(first.plusMillis(1500)));
            ws.close();
        } finally {
            SimGuests.remove(guest);
        }
    }

    @Test
    void expect100ContinueIsAnsweredOnceTheRequestMayGoThroughAndNeverForAnUnauthorizedOne() {
        SimGuest guest = SimGuests.running();
        try {
            sandboxOn(guest, "tok-continue");
            byte[] body = new byte[256 * 1024];
            new Random(3).nextBytes(body);
            ProxyClient.Continued ok = client.expectContinue(host(guest.vmid(), 39378), "/upload",
                    Map.of("X-Sandplane-Token", "tok-continue", "Content-Type", "application/octet-stream"), body);
            assertThat(ok.interim()).startsWith("HTTP/1.1 100 Continue");
            assertThat(ProxyClient.status(ok.answer())).isEqualTo(200);
            JsonObject echo = new JsonObject(ok.answer().substring(ok.answer().indexOf("\r\n\r\n") + 4));
            assertThat(echo.getInteger("vmid")).isEqualTo(guest.vmid());
            assertThat(echo.getLong("bodyLength")).isEqualTo(body.length);
            assertThat(echo.getJsonObject("headers").containsKey("expect")).isFalse();

            // Refused before the body: the client is spared the upload.
            ProxyClient.Continued refused = client.expectContinue(host(guest.vmid(), 39378), "/upload", Map.of(), body);
            assertThat(ProxyClient.status(refused.interim())).isEqualTo(401);
            assertThat(refused.interim().toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
        } finally {
            SimGuests.remove(guest);
        }
    }

    @Test
    void aStoppedGuestsServiceGetsThe502Page() {
        SimGuest guest = SimGuests.running();
        Fixtures.Sandbox sandbox = sandboxOn(guest, "tok-stopped");
        // The guest vanished behind Sandplane's back; the row still says RUNNING.
        SimGuests.remove(guest);
        Response r = client.get(host(sandbox.vmid(), 5173), "/");
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.json().getString("type")).isEqualTo("urn:sandplane:problem:bad-gateway");
    }
}
