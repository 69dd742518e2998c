package io.sandplane.urlrouter;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.provisioner.SharedProvisionerResource;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.service.AuthMode;
import io.sandplane.urlrouter.config.RouterConfig;
import io.sandplane.urlrouter.proxy.ProxyServer;
import io.sandplane.urlrouter.support.EchoGuest;
import io.sandplane.urlrouter.support.Fixtures;
import io.sandplane.urlrouter.support.ProxyClient;
import io.sandplane.urlrouter.support.ProxyClient.RawAnswer;
import io.sandplane.urlrouter.support.TrapGuest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy reads HTTP/1.1 framing strictly (RFC 9112): what a front proxy and the url-router read as
 * one request must never be two. Every request in the corpus is answered once with its 4xx/5xx page,
 * the connection closed after it, and no byte of it reaches the service; a head must arrive within
 * the head timeout; one address may hold only so many connections. The test profile sets the head
 * timeout to 2 s and the limit to 50 per address.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = SharedProvisionerResource.class, scope = TestResourceScope.GLOBAL)
class ProxyFramingTest {

    private static final String DOMAIN = "sandplane.localhost:8088";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final java.util.concurrent.ExecutorService THREADS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    @Inject
    ProxyServer proxy;

    @Inject
    RouterConfig config;

    ProxyClient client;

    @BeforeEach
    void connect() {
        client = new ProxyClient(proxy.port());
    }

    private record Case(String request, int status) {
    }

    @Test
    void requestsTwoParsersCouldReadDifferentlyAreRefusedOnceAndTheirConnectionClosed() {
        // A port no simulator guest answers on: guests of other suites on this machine may share the trap's address.
        try (TrapGuest trap = TrapGuest.start(41999)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(trap.ip()).service("app", 41999, AuthMode.PUBLIC).insert();
            String host = "Host: port-41999-vm-" + s.vmid() + "." + DOMAIN + "\r\n";
            // What a desynchronised reader would take for a second request, hidden in the first one's body.
            String smuggled = "GET /smuggled HTTP/1.1\r\n" + host + "\r\n";
            String chunkedSmuggle = "0\r\n\r\n" + smuggled;

            Map<String, Case> corpus = new LinkedHashMap<>();
            corpus.put("Content-Length and Transfer-Encoding: chunked", new Case("POST / HTTP/1.1\r\n" + host
                    + "Content-Length: " + chunkedSmuggle.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedSmuggle, 400));
            corpus.put("Transfer-Encoding: chunked, then Content-Length", new Case("POST / HTTP/1.1\r\n" + host
                    + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n" + chunkedSmuggle, 400));
            corpus.put("Content-Length: 0 and Transfer-Encoding", new Case("POST / HTTP/1.1\r\n" + host
                    + "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400));
            for (String coding : List.of("xchunked", "chunked, identity", "identity", "chunked;ext=1", "\"chunked\"", "chunked, chunked",
                    "chunked\r\nTransfer-Encoding: chunked", "chunked\r\nTransfer-Encoding: x", "")) {
                corpus.put("Transfer-Encoding: " + coding.replace("\r\n", " / "), new Case("POST / HTTP/1.1\r\n" + host
                        + "Transfer-Encoding: " + coding + "\r\n\r\n" + chunkedSmuggle, 400));
            }
            corpus.put("Transfer-Encoding: gzip, chunked", new Case("POST / HTTP/1.1\r\n" + host
                    + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunkedSmuggle, 501));
            corpus.put("Transfer-Encoding on HTTP/1.0", new Case("POST / HTTP/1.0\r\n" + host
                    + "Transfer-Encoding: chunked\r\n\r\n" + chunkedSmuggle, 400));
            corpus.put("Transfer-Encoding with a space before the colon", new Case("POST / HTTP/1.1\r\n" + host
                    + "Transfer-Encoding : chunked\r\n\r\n" + chunkedSmuggle, 400));
            corpus.put("Transfer-Encoding with a vertical tab", new Case("POST / HTTP/1.1\r\n" + host
                    + "Transfer-Encoding:\u000bchunked\r\n\r\n" + chunkedSmuggle, 400));
            for (String length : List.of("5, 6", "5, 5", "0x5", "abc", "+5", "-1", "5 5", "99999999999999999999", "5\r\nContent-Length: 6",
                    "5\r\nContent-Length: 5")) {
                corpus.put("Content-Length: " + length.replace("\r\n", " / "), new Case("POST / HTTP/1.1\r\n" + host
                        + "Content-Length: " + length + "\r\n\r\nhello" + smuggled, 400));
            }
            corpus.put("Content-Length with a space before the colon", new Case("POST / HTTP/1.1\r\n" + host
                    + "Content-Length : 5\r\n\r\nhello" + smuggled, 400));
            corpus.put("a bare LF ends the header lines", new Case("POST / HTTP/1.1\n" + host + "Content-Length: 5\n\nhello" + smuggled, 400));
            for (String version : List.of("HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "HTTP/3.0", "HTTP/9.9")) {
                corpus.put("version " + version, new Case("GET / " + version + "\r\n" + host + "\r\n", 505));
            }
            for (String version : List.of("http/1.1", "Http/1.1", "HTTP/1.10", "HTTP/01.1", "HTTP/11", "HTTP/1", "HTTPS/1.1", "HTTP/1.1 x",
                    "HTTP/1.1\u0000")) {
                corpus.put("version " + version.replace("\u0000", "NUL"), new Case("GET / " + version + "\r\n" + host + "\r\n", 400));
            }
            corpus.put("a request line without a version", new Case("GET /\r\n" + host + "\r\n", 400));
            corpus.put("a space in the target", new Case("GET /a b HTTP/1.1\r\n" + host + "\r\n", 400));

            List<String> wrong = new ArrayList<>();
            corpus.forEach((name, attack) -> {
                int before = trap.connections();
                RawAnswer answer = client.exchange(null, attack.request(), WAIT);
                String problem = problemOf(answer, attack.status());
                if (problem != null) {
                    wrong.add(name + ": " + problem);
                }
                if (trap.connections() != before) {
                    wrong.add(name + ": reached the service");
                }
            });
            assertThat(wrong).as("requests not refused once, with their status, closing the connection").isEmpty();
            assertThat(trap.connections()).as("connections the corpus opened to the service").isZero();

            // The same service is reachable by a well-framed request (the trap closes at once: 502).
            assertThat(client.exchange(null, "GET / HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n", WAIT).status()).isEqualTo(502);
            assertThat(trap.connections()).isEqualTo(1);
        }
    }

    @Test
    void aBodyWithABadChunkIsRefusedAndTheServiceNeverTakesItForAWholeOne() {
        try (EchoGuest guest = EchoGuest.start(39378)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).service("vscode", 39378, AuthMode.PUBLIC).insert();
            String head = "POST /upload HTTP/1.1\r\nHost: port-39378-vm-" + s.vmid() + "." + DOMAIN + "\r\nTransfer-Encoding: chunked\r\n\r\n";
            List<String> wrong = new ArrayList<>();
            for (String chunks : List.of("zz\r\nhello\r\n0\r\n\r\n", "5\r\nhello\r\n-1\r\nx\r\n0\r\n\r\n", "5\r\nhelloXX\r\n0\r\n\r\n",
                    "fffffffffffffffffffff\r\nx\r\n0\r\n\r\n", "5\nhello\r\n0\r\n\r\n", "5\r\nhello\r\n0g\r\n\r\n")) {
                String problem = problemOf(client.exchange(null, head + chunks, WAIT), 400);
                if (problem != null) {
                    wrong.add(chunks.replace("\r\n", "\\r\\n").replace("\n", "\\n") + ": " + problem);
                }
            }
            assertThat(wrong).as("bad chunks not refused with a 400 that closes the connection").isEmpty();

            // A well-framed chunked body goes through whole, and its Transfer-Encoding reaches the service as the proxy framed it.
            RawAnswer good = client.exchange(null, head.replace("chunked\r\n", "Chunked\r\nConnection: close\r\n")
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", WAIT);
            assertThat(good.status()).as(good.text()).isEqualTo(200);
            JsonObject echo = new JsonObject(good.text().substring(good.text().indexOf("\r\n\r\n") + 4));
            assertThat(echo.getLong("bytes")).isEqualTo(11);
            assertThat(echo.getJsonObject("headers").getJsonArray("transfer-encoding").getList()).containsExactly("chunked");
        }
    }

    @Test
    void aClientThatTricklesItsHeadGets408OnceTheHeadTimeoutPasses() throws Exception {
        long timeoutMillis = config.headTimeout().toMillis();
        int connections = 10;
        List<CompletableFuture<Trickled>> trickles = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            trickles.add(CompletableFuture.supplyAsync(this::trickleAHead, THREADS));
        }
        for (CompletableFuture<Trickled> trickle : trickles) {
            Trickled result = trickle.get(60, TimeUnit.SECONDS);
            assertThat(ProxyClient.status(result.answer())).as(result.answer()).isEqualTo(408);
            assertThat(result.answer().toLowerCase(Locale.ROOT)).contains("application/problem+json").contains("connection: close");
            assertThat(result.closed()).as("closed by the proxy while the client was still sending").isTrue();
            // Never before the timeout: the client kept sending header lines all along.
            assertThat(result.millis()).isGreaterThanOrEqualTo(timeoutMillis);
        }
    }

    private record Trickled(String answer, boolean closed, long millis) {
    }

    /** A head sent one header line every 200 ms, for up to 30 s; returns what the proxy answered and when it closed. */
    private Trickled trickleAHead() {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 5000);
            OutputStream out = socket.getOutputStream();
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> readToEnd(socket),
                    THREADS);
            out.write("GET / HTTP/1.1\r\nHost: port-39378-vm-1.sandplane.localhost:8088\r\n".getBytes(StandardCharsets.ISO_8859_1));
            int line = 0;
            for (; line < 150 && !answer.isDone(); line++) {
                try {
                    out.write(("X-Trickle-" + line + ": 1\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                try {
                    answer.get(200, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException stillOpen) {
                    // the next line
                }
            }
            boolean closedWhileSending = line < 150;
            String text = answer.get(30, TimeUnit.SECONDS);
            return new Trickled(text, closedWhileSending, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Everything the proxy sends until it closes; what came before a reset counts (the client may still be writing). */
    private static String readToEnd(Socket socket) {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        try {
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException reset) {
            // closed all the same
        }
        return text.toString();
    }

    @Test
    void aConnectionThatSendsNoHeadIsClosedQuietlyNewOrKeptAlive() {
        try (EchoGuest guest = EchoGuest.start(39378)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).service("vscode", 39378, AuthMode.PUBLIC).insert();
            RawAnswer silent = client.exchange(null, "", WAIT);
            assertThat(silent.closed()).isTrue();
            assertThat(silent.text()).isEmpty();

            RawAnswer keptAlive = client.exchange(null, "GET / HTTP/1.1\r\nHost: port-39378-vm-" + s.vmid() + "." + DOMAIN + "\r\n\r\n", WAIT);
            assertThat(keptAlive.responses()).isEqualTo(1);
            assertThat(keptAlive.status()).isEqualTo(200);
            assertThat(keptAlive.closed()).as("a kept-alive connection with no next request closes after the head timeout").isTrue();
        }
    }

    @Test
    void anAddressAtItsConnectionLimitGets429WhileOtherAddressesGoOn() throws Exception {
        try (EchoGuest guest = EchoGuest.start(39378)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).service("vscode", 39378, AuthMode.PUBLIC).insert();
            String host = "Host: port-39378-vm-" + s.vmid() + "." + DOMAIN + "\r\n";
            String limited = "127.0.0." + (100 + (int) (System.nanoTime() % 100));
            int limit = config.maxConnectionsPerClient();
            List<Socket> held = new ArrayList<>();
            try {
                // Each held connection is in an exchange (a server-sent event stream), so the head timeout leaves it open.
                for (int i = 0; i < limit; i++) {
                    Socket socket = new Socket();
                    held.add(socket);
                    socket.bind(new InetSocketAddress(limited, 0));
                    socket.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 5000);
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write(("GET /sse HTTP/1.1\r\n" + host + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    assertThat(readUntil(socket.getInputStream(), "data: first")).as("stream %d", i).contains("200 OK");
                }
                RawAnswer refused = client.exchange(limited, "GET / HTTP/1.1\r\n" + host + "\r\n", WAIT);
                assertThat(refused.status()).as(refused.text()).isEqualTo(429);
                assertThat(refused.text().toLowerCase(Locale.ROOT)).contains("retry-after: 1").contains("too-many-connections");
                assertThat(refused.closed()).isTrue();
                // Another address is not affected.
                assertThat(client.exchange("127.0.0.1", "GET / HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n", WAIT).status())
                        .isEqualTo(200);

                // One connection fewer, and the address may open one again.
                held.removeFirst().close();
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> client.exchange(limited,
                        "GET / HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n", WAIT).status() == 200);
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
        }
    }

    private static String readUntil(InputStream in, String marker) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (text.indexOf(marker) < 0) {
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        }
        return text.toString();
    }

    /** Null when the answer is exactly one response with {@code status} as problem+json, and the proxy closed the connection. */
    private static String problemOf(RawAnswer answer, int status) {
        if (answer.status() != status) {
            return "answered " + (answer.status() < 0 ? "nothing" : answer.text().lines().findFirst().orElse(""));
        }
        if (answer.responses() != 1) {
            return answer.responses() + " responses";
        }
        if (!answer.closed()) {
            return "the connection stayed open";
        }
        String head = answer.text().substring(0, Math.max(0, answer.text().indexOf("\r\n\r\n"))).toLowerCase(Locale.ROOT);
        if (!head.contains("content-type: application/problem+json") || !head.contains("connection: close")) {
            return "not a problem+json answer with Connection: close: " + head;
        }
        return null;
    }
}
