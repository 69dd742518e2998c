package io.sandplane.urlrouter.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Carries a WebSocket upgrade to the sandbox service and, once it answers 101, joins the two
 * connections byte for byte (extensions and subprotocols stay end to end: Socket.IO, xterm.js and
 * noVNC see their own server). Built from Vert.x's tunnel primitives rather than vertx-http-proxy's
 * WebSocket path because the proxy needs what that path does not give: back-pressure between the
 * sockets, a hook for the tunnel's lifetime (open WebSockets keep a sandbox active), the token
 * removed from the upgrade's URI, and a 502 page when the service does not answer.
 */
final class WebSocketTunnel {

    /** Callbacks on the tunnel's lifetime. */
    interface Listener {
        void opened();

        void closed();

        void failed();
    }

    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "transfer-encoding", "keep-alive",
            "proxy-connection", "te", "trailer");

    private WebSocketTunnel() {
    }

    static boolean isUpgrade(HttpServerRequest request) {
        if (request.method() != HttpMethod.GET) {
            return false;
        }
        String upgrade = request.getHeader(HttpHeaders.UPGRADE);
        String connection = request.getHeader(HttpHeaders.CONNECTION);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket")
                && connection != null && connection.toLowerCase(Locale.ROOT).contains("upgrade");
    }

    static void open(HttpServerRequest request, HttpClient client, SocketAddress origin, String uri, Listener listener) {
        RequestOptions options = new RequestOptions()
                .setServer(origin)
                .setMethod(HttpMethod.GET)
                .setURI(uri);
        client.request(options).onComplete(created -> {
            if (created.failed()) {
                listener.failed();
                return;
            }
            HttpClientRequest upstream = created.result();
            if (request.authority() != null) {
                upstream.authority(request.authority());
            }
            MultiMap headers = upstream.headers();
            request.headers().forEach(header -> {
                if (!NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                    headers.add(header.getKey(), header.getValue());
                }
            });
            upstream.connect().onComplete(answered -> {
                if (answered.failed()) {
                    listener.failed();
                    return;
                }
                HttpClientResponse response = answered.result();
                if (response.statusCode() != 101) {
                    relayRefusal(request, response);
                    return;
                }
                // Server-first protocols (noVNC's RFB greeting) send right after the 101: hold those bytes
                // until the browser's side of the tunnel exists.
                NetSocket upstreamSocket = response.netSocket();
                upstreamSocket.pause();
                HttpServerResponse downstreamResponse = request.response();
                downstreamResponse.headers().addAll(response.headers());
                request.resume();
                request.toNetSocket().onComplete(switched -> {
                    if (switched.failed()) {
                        upstreamSocket.close();
                        listener.failed();
                        return;
                    }
                    join(switched.result(), upstreamSocket, listener);
                });
            });
        });
    }

    private static void join(NetSocket downstream, NetSocket upstream, Listener listener) {
        AtomicBoolean closed = new AtomicBoolean();
        Runnable close = () -> {
            if (closed.compareAndSet(false, true)) {
                downstream.close();
                upstream.close();
                listener.closed();
            }
        };
        downstream.closeHandler(v -> close.run());
        upstream.closeHandler(v -> close.run());
        downstream.exceptionHandler(e -> close.run());
        upstream.exceptionHandler(e -> close.run());
        listener.opened();
        downstream.pipeTo(upstream);
        upstream.pipeTo(downstream);
    }

    /** The service answered the upgrade with something else (404, 401, ...): pass that answer on as it is. */
    private static void relayRefusal(HttpServerRequest request, HttpClientResponse response) {
        HttpServerResponse downstream = request.response();
        downstream.setStatusCode(response.statusCode());
        response.headers().forEach(header -> {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(name) && !name.equals("connection") && !name.equals("upgrade")) {
                downstream.headers().add(header.getKey(), header.getValue());
            }
        });
        String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            downstream.putHeader(HttpHeaders.CONTENT_LENGTH, length);
        } else {
            downstream.setChunked(true);
        }
        request.resume();
        response.pipeTo(downstream);
    }
}
