package io.sandplane.simulator.guest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a guest serves on its web ports (worker, vscode, vnc, xterm, preview): an HTTP and
 * WebSocket echo whose answers name the guest and the port, so a test can prove where a request
 * landed and what arrived (headers, body size).
 *
 * <ul>
 * <li>any path: JSON {@code {service, vmid, guestIp, port, method, path, query, headers, bodyLength}}</li>
 * <li>{@code POST /echo/body}: the request body streamed back</li>
 * <li>{@code GET /echo/bytes?n=N}: N bytes streamed</li>
 * <li>{@code GET /echo/sse?count=N&interval_ms=M}: server-sent events</li>
 * <li>{@code GET /echo/slow?ms=N}: the JSON answer after N ms</li>
 * <li>WebSocket on any path: each message back, prefixed {@code "vm <vmid> port <port>: "}</li>
 * </ul>
 */
@ApplicationScoped
public class EchoService {

    private static final long MAX_BYTES = 1L << 30;
    private static final long MAX_SLOW_MS = 120_000;
    private final ObjectMapper mapper;
    private final Vertx vertx;

    public EchoService(ObjectMapper mapper, Vertx vertx) {
        this.mapper = mapper;
        this.vertx = vertx;
    }

    void handle(GuestNetwork.GuestEndpoint guest, String address, int port, HttpServerRequest req) {
        switch (req.path()) {
            case "/echo/body" -> {
                if (req.method() != HttpMethod.POST && req.method() != HttpMethod.PUT) {
                    describe(guest, address, port, req, 0);
                    return;
                }
                HttpServerResponse response = req.response().setChunked(true)
                        .putHeader("Content-Type", req.getHeader("Content-Type") == null ? "application/octet-stream"
                                : req.getHeader("Content-Type"))
                        .putHeader("X-Echo-Vmid", Integer.toString(guest.vmid()))
                        .putHeader("X-Echo-Port", Integer.toString(port));
                req.pipeTo(response);
            }
            case "/echo/bytes" -> bytes(guest, port, req);
            case "/echo/sse" -> sse(guest, address, port, req);
            case "/echo/slow" -> {
                long ms = Math.min(MAX_SLOW_MS, Math.max(0, longParam(req, "ms", 1000)));
                describe(guest, address, port, req, ms);
            }
            default -> describe(guest, address, port, req, 0);
        }
    }

    private void describe(GuestNetwork.GuestEndpoint guest, String address, int port, HttpServerRequest req, long delayMs) {
        AtomicLong length = new AtomicLong();
        req.handler(chunk -> length.addAndGet(chunk.length()));
        req.endHandler(v -> {
            ObjectNode json = summary(guest, address, port);
            json.put("method", req.method().name());
            json.put("path", req.path());
            json.put("query", req.query());
            ObjectNode headers = json.putObject("headers");
            for (Map.Entry<String, String> h : req.headers()) {
                String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
                headers.put(name, headers.has(name) ? headers.get(name).asText() + ", " + h.getValue() : h.getValue());
            }
            json.put("bodyLength", length.get());
            if (delayMs <= 0) {
                req.response().putHeader("Content-Type", "application/json").end(write(json));
            } else {
                vertx.setTimer(delayMs, id -> {
                    if (!req.response().closed()) {
                        req.response().putHeader("Content-Type", "application/json").end(write(json));
                    }
                });
            }
        });
    }

    private ObjectNode summary(GuestNetwork.GuestEndpoint guest, String address, int port) {
        ObjectNode json = mapper.createObjectNode();
        json.put("service", "echo");
        json.put("vmid", guest.vmid());
        json.put("guestIp", address);
        json.put("port", port);
        return json;
    }

    private void bytes(GuestNetwork.GuestEndpoint guest, int port, HttpServerRequest req) {
        long n = Math.min(MAX_BYTES, Math.max(0, longParam(req, "n", 1024)));
        HttpServerResponse response = req.response().putHeader("Content-Type", "application/octet-stream")
                .putHeader("Content-Length", Long.toString(n))
                .putHeader("X-Echo-Vmid", Integer.toString(guest.vmid()))
                .putHeader("X-Echo-Port", Integer.toString(port));
        Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
        AtomicLong left = new AtomicLong(n);
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (left.get() > 0 && !response.writeQueueFull() && !response.closed()) {
                long size = Math.min(chunk.length(), left.get());
                left.addAndGet(-size);
                response.write(size == chunk.length() ? chunk : chunk.getBuffer(0, (int) size));
            }
            if (left.get() == 0) {
                response.end();
            } else if (!response.closed()) {
                response.drainHandler(v -> pump[0].run());
            }
        };
        pump[0].run();
    }

    private void sse(GuestNetwork.GuestEndpoint guest, String address, int port, HttpServerRequest req) {
        long count = Math.min(10_000, Math.max(1, longParam(req, "count", 5)));
        long interval = Math.min(60_000, Math.max(1, longParam(req, "interval_ms", 100)));
        HttpServerResponse response = req.response().setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache");
        response.write(": vm " + guest.vmid() + " port " + port + "\n\n");
        AtomicLong seq = new AtomicLong();
        vertx.setPeriodic(interval, id -> {
            if (response.closed()) {
                vertx.cancelTimer(id);
                return;
            }
            long n = seq.incrementAndGet();
            ObjectNode json = summary(guest, address, port).put("seq", n);
            response.write("id: " + n + "\nevent: echo\ndata: " + write(json) + "\n\n");
            if (n >= count) {
                vertx.cancelTimer(id);
                response.end();
            }
        });
    }

    void webSocket(GuestNetwork.GuestEndpoint guest, String address, int port, ServerWebSocket ws) {
        String prefix = "vm " + guest.vmid() + " port " + port + ": ";
        ws.textMessageHandler(text -> ws.writeTextMessage(prefix + text));
        ws.binaryMessageHandler(data -> ws.writeBinaryMessage(Buffer.buffer(prefix).appendBuffer(data)));
    }

    private static long longParam(HttpServerRequest req, String name, long fallback) {
        String v = req.getParam(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private String write(ObjectNode json) {
        try {
            return mapper.writeValueAsString(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
