package io.sandplane.devsupport.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RawHttpTest {

    /** Accepts one connection, keeps the request head and answers {@code answer}. */
    private static CompletableFuture<List<String>> serveOnce(ServerSocket server, String answer) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                List<String> head = new ArrayList<>();
                for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
                    head.add(line);
                }
                OutputStream out = s.getOutputStream();
                out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return head;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void theRequestLineGoesOutByteForByte() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var received = serveOnce(server, "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/problem+json\r\n"
                    + "Content-Length: 2\r\n\r\n{}");

            RawHttp.Answer answer = RawHttp.send("127.0.0.1", server.getLocalPort(), "DELETE",
                    "/x/%2e%2e/internal\\guests;x=y", Map.of("X-Test", "1"), "{\"a\":1}");

            List<String> head = received.get(10, TimeUnit.SECONDS);
            assertThat(head.getFirst()).isEqualTo("DELETE /x/%2e%2e/internal\\guests;x=y HTTP/1.1");
            assertThat(head).contains("Host: 127.0.0.1:" + server.getLocalPort(), "X-Test: 1",
                    "Content-Type: application/json", "Content-Length: 7", "Connection: close");
            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.header("content-type")).isEqualTo("application/problem+json");
            assertThat(answer.body()).isEqualTo("{}");
        }
    }

    @Test
    void aConnectionClosedWithoutAnAnswerIsStatusZero() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var received = serveOnce(server, "");

            RawHttp.Answer answer = RawHttp.send("127.0.0.1", server.getLocalPort(), "GET", "/", Map.of(), null);

            assertThat(received.get(10, TimeUnit.SECONDS)).first().isEqualTo("GET / HTTP/1.1");
            assertThat(answer.status()).isZero();
        }
    }
}
