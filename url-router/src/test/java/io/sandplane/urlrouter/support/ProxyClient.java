package io.sandplane.urlrouter.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP client pointed at the proxy's port that sends any Host header (a {@code *.localhost}
 * name does not resolve everywhere; the proxy only reads the header), plus a raw socket for
 * request lines no well-behaved client would send.
 */
public final class ProxyClient {

    private static final Vertx VERTX = Vertx.vertx();
    private static final HttpClient HTTP = VERTX.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    // Room for the large messages the tests echo: the simulator answers one in a single frame (Vert.x allows
    // 64 KiB frames and 256 KiB messages by default).
    private static final WebSocketClient WEBSOCKETS = VERTX.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
            .setMaxMessageSize(32 * 1024 * 1024).setMaxFrameSize(32 * 1024 * 1024));

    private final int proxyPort;

    public ProxyClient(int proxyPort) {
        this.proxyPort = proxyPort;
    }

    public record Response(int status, MultiMap headers, Buffer body) {
        public JsonObject json() {
            return body.toJsonObject();
        }

        public String text() {
            return body.toString();
        }

        /** A header the guest received, as its echo reports it. */
        public String echoedHeader(String name) {
            var values = json().getJsonObject("headers").getJsonArray(name.toLowerCase(java.util.Locale.ROOT));
            return values == null ? null : String.join(",", values.getList());
        }
    }

    public Response get(String host, String uri, Map<String, String> headers) {
        return send(HttpMethod.GET, host, uri, headers, null);
    }

    public Response get(String host, String uri) {
        return get(host, uri, Map.of());
    }

    public Response send(HttpMethod method, String host, String uri, Map<String, String> headers, ReadStream<Buffer> body) {
        RequestOptions options = new RequestOptions().setServer(SocketAddress.inetSocketAddress(proxyPort, "127.0.0.1"))
                .setMethod(method).setHost(host).setPort(80).setURI(uri).setFollowRedirects(false);
        headers.forEach(options::addHeader);
        return await(HTTP.request(options).compose(request -> {
            if (body != null) {
                request.setChunked(true);
                return request.send(body);
            }
            return request.send();
        }).compose(response -> response.body().map(b -> new Response(response.statusCode(), response.headers(), b))));
    }

    /** An open WebSocket through the proxy and every message it received (text as String, binary as Buffer). */
    public record Socket(WebSocket socket, java.util.concurrent.BlockingQueue<Object> received) {
        public Object next() {
            try {
                Object message = received.poll(10, TimeUnit.SECONDS);
                if (message == null) {
                    throw new AssertionError("no WebSocket message within 10 s");
                }
                return message;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        public String nextText() {
            return (String) next();
        }

        public void close() {
            socket.close();
        }
    }

    public Socket webSocket(String host, String uri, Map<String, String> headers, String... subprotocols) {
        // The WebSocket client resolves the host it is given, so connect to the proxy's address and name the Host explicitly.
        WebSocketConnectOptions options = new WebSocketConnectOptions();
        options.setHost("127.0.0.1").setPort(proxyPort).setURI(uri);
        options.addHeader("Host", host);
        headers.forEach(options::addHeader);
        for (String p : subprotocols) {
            options.addSubProtocol(p);
        }
        java.util.concurrent.BlockingQueue<Object> received = new java.util.concurrent.LinkedBlockingQueue<>();
        // Handlers are set on the event loop as the socket opens, so a message the guest sends at once is not missed.
        return await(WEBSOCKETS.connect(options).map(ws -> {
            ws.textMessageHandler(received::add);
            ws.binaryMessageHandler(received::add);
            return new Socket(ws, received);
        }));
    }

    /** Sends raw bytes on a fresh connection and returns everything the proxy answered until it closed or went quiet. */
    public String raw(String request) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", proxyPort)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    answer.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                    if (complete(answer)) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                // whatever arrived is the answer
            }
            return answer.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the proxy answered on a raw connection, and whether it closed the connection within the wait. */
    public record RawAnswer(String text, boolean closed) {
        public int status() {
            return ProxyClient.status(text);
        }

        /** How many responses the answer holds (status lines at the start of a line). */
        public int responses() {
            return (int) java.util.regex.Pattern.compile("(^|\r\n)HTTP/1\\.[01] \\d{3} ").matcher(text).results().count();
        }
    }

    /**
     * Sends raw bytes on a fresh connection from {@code localAddress} (any 127.x address; null for the
     * default) and reads until the proxy closes it, or {@code wait} passes without it closing.
     */
    public RawAnswer exchange(String localAddress, String request, Duration wait) {
        try (java.net.Socket socket = new java.net.Socket()) {
            if (localAddress != null) {
                socket.bind(new java.net.InetSocketAddress(localAddress, 0));
            }
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", proxyPort), 5000);
            long deadline = System.nanoTime() + wait.toNanos();
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            byte[] buffer = new byte[8192];
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return new RawAnswer(answer.toString(), false);
                }
                socket.setSoTimeout((int) left);
                int n;
                try {
                    n = in.read(buffer);
                } catch (java.net.SocketTimeoutException e) {
                    return new RawAnswer(answer.toString(), false);
                } catch (java.net.SocketException reset) {
                    // A reset is the proxy closing with bytes of ours still unread: closed all the same.
                    return new RawAnswer(answer.toString(), true);
                }
                if (n < 0) {
                    return new RawAnswer(answer.toString(), true);
                }
                answer.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a client sending {@code Expect: 100-continue} saw: the first answer, and the final one (the same when no 100 came). */
    public record Continued(String interim, String answer) {
    }

    /**
     * POSTs with {@code Expect: 100-continue} as curl does, except that it never sends the body before
     * an answer came: the body only goes out after a {@code 100 Continue}.
     */
    public Continued expectContinue(String host, String uri, Map<String, String> headers, byte[] body) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", proxyPort)) {
            socket.setSoTimeout(5000);
            StringBuilder head = new StringBuilder("POST " + uri + " HTTP/1.1\r\nHost: " + host + "\r\nExpect: 100-continue\r\n"
                    + "Content-Length: " + body.length + "\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            OutputStream out = socket.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String interim = readHead(in);
            if (!interim.startsWith("HTTP/1.1 100")) {
                return new Continued(interim, interim + readRest(in, new StringBuilder(interim)));
            }
            out.write(body);
            out.flush();
            String finalHead = readHead(in);
            return new Continued(interim, finalHead + readRest(in, new StringBuilder(finalHead)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static String readRest(InputStream in, StringBuilder answer) throws IOException {
        int start = answer.length();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while (!complete(answer) && (n = in.read(buffer)) > 0) {
                answer.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (java.net.SocketTimeoutException e) {
            // whatever arrived is the answer
        }
        return answer.substring(start);
    }

    /** Sends raw bytes and reads until the proxy closes the connection. */
    public String rawUntilClosed(String request) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", proxyPort)) {
            socket.setSoTimeout(10000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** GETs a streamed body: {@code first} completes with the first chunk, {@code all} with the whole body at its end. */
    public void stream(String host, String uri, java.util.concurrent.CompletableFuture<String> first,
            java.util.concurrent.CompletableFuture<String> all) {
        RequestOptions options = new RequestOptions().setServer(SocketAddress.inetSocketAddress(proxyPort, "127.0.0.1"))
                .setMethod(HttpMethod.GET).setHost(host).setPort(80).setURI(uri);
        StringBuilder received = new StringBuilder();
        HTTP.request(options).compose(request -> request.send()).onComplete(sent -> {
            if (sent.failed()) {
                first.completeExceptionally(sent.cause());
                all.completeExceptionally(sent.cause());
                return;
            }
            sent.result().handler(chunk -> {
                received.append(chunk.toString());
                first.complete(received.toString());
            });
            sent.result().endHandler(v -> all.complete(received.toString()));
            sent.result().exceptionHandler(all::completeExceptionally);
        });
    }

    /** The status of a raw answer, or -1 if there was none. */
    public static int status(String rawAnswer) {
        if (!rawAnswer.startsWith("HTTP/1.")) {
            return -1;
        }
        return Integer.parseInt(rawAnswer.substring(9, 12));
    }

    private static boolean complete(StringBuilder answer) {
        int end = answer.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = answer.substring(0, end).toLowerCase(java.util.Locale.ROOT);
        int cl = head.indexOf("content-length:");
        if (cl < 0) {
            return false;
        }
        int lineEnd = head.indexOf("\r\n", cl);
        int length = Integer.parseInt(head.substring(cl + 15, lineEnd < 0 ? head.length() : lineEnd).trim());
        return answer.length() >= end + 4 + length;
    }

    public static <T> T await(io.vertx.core.Future<T> future) {
        return await(future.toCompletionStage(), Duration.ofSeconds(30));
    }

    public static <T> T await(CompletionStage<T> stage, Duration timeout) {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static Vertx vertx() {
        return VERTX;
    }
}
