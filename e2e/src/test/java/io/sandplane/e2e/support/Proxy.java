package io.sandplane.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A browser's view of the proxy: requests for a sandbox URL the API handed out (its Host header
 * names the sandbox and port) sent to the proxy's listener, since {@code *.localhost} names do not
 * resolve everywhere. Redirects are not followed, so each hop can be checked.
 */
public final class Proxy {

    private static final Vertx VERTX = Vertx.vertx();
    private static final HttpClient HTTP = VERTX.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    private static final WebSocketClient WEBSOCKETS = VERTX.createWebSocketClient();
    /** A wake-on-HTTP request is held while the sandbox resumes. */
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final int proxyPort;

    public Proxy(String proxyUrl) {
        this.proxyPort = URI.create(proxyUrl).getPort();
    }

    /** An answer through the proxy; {@link #echo()} reads what the guest's echo service reported. */
    public record Response(int status, MultiMap headers, String body) {
        public JsonNode echo() {
            return Json.parse(body);
        }

        public String header(String name) {
            return headers.get(name);
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + body;
        }
    }

    /** GET {@code path} (with query) on the sandbox URL {@code url}. */
    public Response get(String url, String pathAndQuery, Map<String, String> headers) {
        URI uri = URI.create(url);
        RequestOptions options = new RequestOptions().setServer(SocketAddress.inetSocketAddress(proxyPort, "127.0.0.1"))
                .setMethod(HttpMethod.GET).setHost(uri.getHost()).setPort(uri.getPort() < 0 ? 80 : uri.getPort())
                .setURI(pathAndQuery).setFollowRedirects(false).setTimeout(TIMEOUT.toMillis());
        headers.forEach(options::addHeader);
        return await(HTTP.request(options).compose(r -> r.send())
                .compose(r -> r.body().map(b -> new Response(r.statusCode(), r.headers(), b.toString()))));
    }

    public Response get(String url, String pathAndQuery) {
        return get(url, pathAndQuery, Map.of());
    }

    /** An open WebSocket through the proxy and the text messages it received. */
    public record Socket(WebSocket socket, BlockingQueue<String> received) implements AutoCloseable {
        public String send(String text) {
            await(socket.writeTextMessage(text));
            try {
                String answer = received.poll(10, TimeUnit.SECONDS);
                if (answer == null) {
                    throw new AssertionError("no WebSocket answer within 10 s");
                }
                return answer;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** Opens a WebSocket on the sandbox URL {@code url}; fails if the upgrade is refused. */
    public Socket webSocket(String url, String pathAndQuery, Map<String, String> headers) {
        URI uri = URI.create(url);
        WebSocketConnectOptions options = new WebSocketConnectOptions();
        options.setHost("127.0.0.1").setPort(proxyPort).setURI(pathAndQuery);
        options.addHeader("Host", uri.getAuthority());
        headers.forEach(options::addHeader);
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        return await(WEBSOCKETS.connect(options).map(ws -> {
            ws.textMessageHandler(received::add);
            return new Socket(ws, received);
        }));
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("proxy call failed: " + e.getMessage(), e);
        }
    }
}
