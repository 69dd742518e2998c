package io.sandplane.urlrouter.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A guest's service on its own loopback address, answering like the simulator's echo services:
 * every answer names the guest address and port and echoes the request (method, URI, headers), so
 * a test can tell exactly where a proxied request landed. {@code /stream?chunks=N&size=M} streams
 * a chunked body, {@code /upload} reads a body and answers its size and SHA-256, {@code /sse}
 * sends one event and holds the stream open until {@link #releaseSse()}, and WebSockets get a hello
 * naming the guest, then an echo of every frame.
 */
public final class EchoGuest implements AutoCloseable {

    private static final Vertx VERTX = Vertx.vertx();

    private final String ip;
    private final List<HttpServer> servers = new ArrayList<>();
    private volatile CompletableFuture<Void> sseRelease = new CompletableFuture<>();
    private final AtomicInteger requests = new AtomicInteger();

    private EchoGuest(String ip) {
        this.ip = ip;
    }

    /** A guest at a fresh loopback address of this JVM's 127.X network, answering on the given ports. */
    public static EchoGuest start(int... ports) {
        for (int attempt = 0; ; attempt++) {
            EchoGuest guest = new EchoGuest(GuestAddresses.next());
            try {
                for (int port : ports) {
                    guest.listen(port);
                }
                return guest;
            } catch (IllegalStateException taken) {
                // Someone else (another suite, a simulator) holds that address: take the next one.
                guest.close();
                if (attempt >= 20) {
                    throw taken;
                }
            }
        }
    }

    /** A guest on a given address (e.g. 127.0.0.1, to be reached by the name localhost); port 0 takes one the kernel picks ({@link #port()}). */
    public static EchoGuest startOn(String ip, int... ports) {
        EchoGuest guest = new EchoGuest(ip);
        for (int port : ports) {
            guest.listen(port);
        }
        return guest;
    }

    public String ip() {
        return ip;
    }

    /** The port the guest's first listener really got. */
    public int port() {
        return servers.getFirst().actualPort();
    }

    public int requests() {
        return requests.get();
    }

    public void releaseSse() {
        sseRelease.complete(null);
    }

    private void listen(int port) {
        // noVNC asks for the "binary" subprotocol; the guest accepts it like websockify does.
        HttpServer server = VERTX.createHttpServer(new io.vertx.core.http.HttpServerOptions()
                        .setWebSocketSubProtocols(List.of("binary")))
                .webSocketHandler(ws -> {
                    requests.incrementAndGet();
                    JsonObject hello = new JsonObject().put("guest", ip).put("port", port).put("uri", ws.uri())
                            .put("headers", headers(ws.headers()));
                    ws.writeTextMessage(hello.encode());
                    ws.frameHandler(frame -> {
                        if (frame.isText()) {
                            ws.writeTextMessage(frame.textData());
                        } else if (frame.isBinary()) {
                            ws.writeBinaryMessage(frame.binaryData());
                        }
                    });
                })
                .requestHandler(request -> handle(request, port));
        try {
            servers.add(server.listen(port, ip).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on " + ip + ":" + port, e);
        }
    }

    private void handle(HttpServerRequest request, int port) {
        requests.incrementAndGet();
        String path = request.path();
        if (path.equals("/upload")) {
            MessageDigest sha = sha256();
            long[] bytes = new long[1];
            request.handler(chunk -> {
                bytes[0] += chunk.length();
                sha.update(chunk.getBytes());
            });
            request.endHandler(v -> request.response().putHeader("content-type", "application/json")
                    .end(echo(request, port).put("bytes", bytes[0]).put("sha256", HexFormat.of().formatHex(sha.digest())).encode()));
            return;
        }
        if (path.equals("/stream")) {
            int chunks = Integer.parseInt(request.getParam("chunks", "10"));
            int size = Integer.parseInt(request.getParam("size", "1024"));
            var response = request.response().setChunked(true).putHeader("content-type", "application/octet-stream");
            Buffer chunk = Buffer.buffer(new byte[size]);
            writeChunks(response, chunk, chunks);
            return;
        }
        if (path.equals("/sse")) {
            CompletableFuture<Void> release = sseRelease;
            var response = request.response().setChunked(true).putHeader("content-type", "text/event-stream");
            response.write("data: first\n\n");
            release.whenComplete((v, e) -> VERTX.runOnContext(x -> {
                response.end("data: second\n\n");
                sseRelease = new CompletableFuture<>();
            }));
            return;
        }
        if (request.getParam("date") != null) {
            // A service's own Date, which the proxy must pass on unchanged.
            request.response().putHeader("date", request.getParam("date"));
        }
        request.body().onComplete(body -> request.response()
                .putHeader("content-type", "application/json")
                .putHeader("x-guest", ip + ":" + port)
                .end(echo(request, port).put("body", body.succeeded() ? body.result().toString() : "").encode()));
    }

    private static void writeChunks(io.vertx.core.http.HttpServerResponse response, Buffer chunk, int remaining) {
        if (remaining == 0) {
            response.end();
            return;
        }
        response.write(chunk).onComplete(v -> {
            if (response.writeQueueFull()) {
                response.drainHandler(d -> writeChunks(response, chunk, remaining - 1));
            } else {
                writeChunks(response, chunk, remaining - 1);
            }
        });
    }

    private JsonObject echo(HttpServerRequest request, int port) {
        return new JsonObject().put("guest", ip).put("port", port).put("method", request.method().name())
                .put("uri", request.uri()).put("headers", headers(request.headers()));
    }

    private static JsonObject headers(io.vertx.core.MultiMap headers) {
        JsonObject out = new JsonObject();
        headers.names().forEach(name -> out.put(name.toLowerCase(java.util.Locale.ROOT), new JsonArray(headers.getAll(name))));
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (HttpServer server : servers) {
            server.close();
        }
    }
}
