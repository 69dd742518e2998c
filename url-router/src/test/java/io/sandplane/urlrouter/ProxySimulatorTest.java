package io.sandplane.urlrouter;

import static org.assertj.core.api.Assertions.assertThat;

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
            assertThat(redirect.headers().get("location")).isEqualTo("/?cols=80");
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
