package io.sandplane.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a running guest serves on its web ports: JSON echo, streamed bodies both ways, a slow answer, SSE, WebSocket. */
@QuarkusTest
class EchoServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final List<Integer> WEB_PORTS = List.of(39377, 39378, 39380, 39383, 5173);

    private String ip;

    @jakarta.inject.Inject
    io.vertx.core.Vertx vertx;

    @BeforeEach
    void guest() {
        Pve.reset();
        Pve.zeroLatencies();
        Pve.cloneAndWait("pve1", 9001, 800, "echo");
        Pve.startAndWait("pve1", 800);
        ip = Pve.address("pve1", 800);
    }

    @Test
    void everyWebPortNamesGuestPortAndWhatArrived() throws Exception {
        for (int port : WEB_PORTS) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(port, "/api/things?x=1"))
                    .header("X-Forwarded-For", "203.0.113.9").header("X-Forwarded-Proto", "https")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("twelve bytes")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode echo = JSON.readTree(r.body());
            assertThat(echo.get("service").asText()).isEqualTo("echo");
            assertThat(echo.get("vmid").asInt()).isEqualTo(800);
            assertThat(echo.get("guestIp").asText()).isEqualTo(ip);
            assertThat(echo.get("port").asInt()).isEqualTo(port);
            assertThat(echo.get("method").asText()).isEqualTo("PATCH");
            assertThat(echo.get("path").asText()).isEqualTo("/api/things");
            assertThat(echo.get("query").asText()).isEqualTo("x=1");
            assertThat(echo.get("bodyLength").asLong()).isEqualTo(12);
            assertThat(echo.at("/headers/x-forwarded-for").asText()).isEqualTo("203.0.113.9");
            assertThat(echo.at("/headers/x-forwarded-proto").asText()).isEqualTo("https");
        }
    }

    @Test
    void largeBodiesStreamBothWays() throws Exception {
        // upload: 24 MiB echoed back byte for byte while it is still arriving, so the client has to
        // read as it writes (Vert.x's client does; java.net.http's would wait for the whole upload first)
        byte[] upload = new byte[24 * 1024 * 1024];
        new Random(42).nextBytes(upload);
        io.vertx.core.http.HttpClient vertxClient = vertx.createHttpClient();
        try {
            Echoed back = vertxClient.request(io.vertx.core.http.HttpMethod.POST, 39378, ip, "/echo/body")
                    .compose(req -> req.putHeader("Content-Type", "application/x-test").send(io.vertx.core.buffer.Buffer.buffer(upload)))
                    .compose(resp -> resp.body().map(body -> new Echoed(resp.statusCode(), resp.headers().get("Content-Type"),
                            resp.headers().get("X-Echo-Vmid"), resp.headers().get("X-Echo-Port"), body.getBytes())))
                    .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(back.status()).isEqualTo(200);
            assertThat(back.contentType()).isEqualTo("application/x-test");
            assertThat(back.vmid()).isEqualTo("800");
            assertThat(back.port()).isEqualTo("39378");
            assertThat(back.body().length).isEqualTo(upload.length);
            assertThat(sha256(back.body())).isEqualTo(sha256(upload));
        } finally {
            vertxClient.close();
        }

        // download: 200 MiB streamed and counted without holding it
        long n = 200L * 1024 * 1024;
        HttpResponse<InputStream> down = HTTP.send(HttpRequest.newBuilder(uri(39383, "/echo/bytes?n=" + n)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(down.headers().firstValueAsLong("Content-Length")).hasValue(n);
        long read = 0;
        try (InputStream in = down.body()) {
            byte[] buf = new byte[1 << 16];
            for (int k; (k = in.read(buf)) > 0; ) {
                read += k;
            }
        }
        assertThat(read).isEqualTo(n);
        // guests speak HTTP/1.1: the client's h2c upgrade offer was declined
        assertThat(down.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void slowAnswersComeLate() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(5173, "/echo/slow?ms=700")).build(),
                HttpResponse.BodyHandlers.ofString());
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(tookMs).isGreaterThanOrEqualTo(700);
        assertThat(JSON.readTree(r.body()).get("path").asText()).isEqualTo("/echo/slow");
        // a client that gives up first gets no answer at all
        HttpRequest impatient = HttpRequest.newBuilder(uri(5173, "/echo/slow?ms=5000")).timeout(Duration.ofMillis(300)).build();
        assertThat(HTTP.sendAsync(impatient, HttpResponse.BodyHandlers.ofString()).handle((ok, err) -> err).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(java.net.http.HttpTimeoutException.class);
    }

    @Test
    void serverSentEvents() throws Exception {
        HttpResponse<Stream<String>> r = HTTP.send(HttpRequest.newBuilder(uri(39377, "/echo/sse?count=4&interval_ms=30"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        List<String> lines;
        try (Stream<String> s = r.body()) {
            lines = s.toList();
        }
        assertThat(lines.getFirst()).isEqualTo(": vm 800 port 39377");
        assertThat(lines).filteredOn(l -> l.startsWith("id: ")).containsExactly("id: 1", "id: 2", "id: 3", "id: 4");
        assertThat(lines).filteredOn(l -> l.startsWith("event: ")).hasSize(4).containsOnly("event: echo");
        List<String> data = lines.stream().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(data).hasSize(4);
        for (int i = 0; i < data.size(); i++) {
            JsonNode event = JSON.readTree(data.get(i));
            assertThat(event.get("vmid").asInt()).isEqualTo(800);
            assertThat(event.get("port").asInt()).isEqualTo(39377);
            assertThat(event.get("seq").asInt()).isEqualTo(i + 1);
        }
    }

    @Test
    void webSocketEchoesEachMessageNamingGuestAndPort() throws Exception {
        for (int port : List.of(39377, 39380)) {
            Frames frames = new Frames();
            WebSocket ws = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://" + ip + ":" + port + "/ws/term"), frames)
                    .get(5, TimeUnit.SECONDS);
            ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
            assertThat(frames.next()).isEqualTo("vm 800 port " + port + ": hello");
            ws.sendText("ünïcödé ✓", true).get(5, TimeUnit.SECONDS);
            assertThat(frames.next()).isEqualTo("vm 800 port " + port + ": ünïcödé ✓");
            byte[] blob = new byte[256 * 1024];
            new Random(7).nextBytes(blob);
            ws.sendBinary(ByteBuffer.wrap(blob), true).get(5, TimeUnit.SECONDS);
            byte[] prefix = ("vm 800 port " + port + ": ").getBytes(StandardCharsets.UTF_8);
            byte[] expected = new byte[prefix.length + blob.length];
            System.arraycopy(prefix, 0, expected, 0, prefix.length);
            System.arraycopy(blob, 0, expected, prefix.length, blob.length);
            assertThat(frames.nextBinary()).isEqualTo(expected);
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        }
        // a stopped guest serves no WebSocket either
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/800/status/stop"));
        CompletableFuture<WebSocket> refused = HTTP.newWebSocketBuilder()
                .buildAsync(URI.create("ws://" + ip + ":39377/ws"), new Frames());
        assertThat(refused.handle((ok, err) -> err).get(10, TimeUnit.SECONDS)).isNotNull();
    }

    private record Echoed(int status, String contentType, String vmid, String port, byte[] body) {
    }

    private URI uri(int port, String pathAndQuery) {
        return URI.create("http://" + ip + ":" + port + pathAndQuery);
    }

    private static String sha256(byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** Collects whole text and binary messages. */
    private static final class Frames implements WebSocket.Listener {
        private final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final List<byte[]> binary = new ArrayList<>();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] part = new byte[data.remaining()];
            data.get(part);
            binary.add(part);
            if (last) {
                int size = binary.stream().mapToInt(b -> b.length).sum();
                byte[] whole = new byte[size];
                int at = 0;
                for (byte[] b : binary) {
                    System.arraycopy(b, 0, whole, at, b.length);
                    at += b.length;
                }
                binary.clear();
                messages.add(whole);
            }
            ws.request(1);
            return null;
        }

        String next() throws InterruptedException {
            Object m = messages.poll(10, TimeUnit.SECONDS);
            assertThat(m).isInstanceOf(String.class);
            return (String) m;
        }

        byte[] nextBinary() throws InterruptedException {
            Object m = messages.poll(10, TimeUnit.SECONDS);
            assertThat(m).isInstanceOf(byte[].class);
            return (byte[]) m;
        }
    }
}
