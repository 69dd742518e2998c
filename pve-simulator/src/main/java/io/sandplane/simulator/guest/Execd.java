package io.sandplane.simulator.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sandplane.simulator.config.SimulatorConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * cmux-execd as a guest serves it on port 39375: {@code GET /healthz}, and {@code POST /exec}
 * {@code {command, timeout_ms}} answered with {@code application/jsonlines} events
 * ({@code stdout}, {@code stderr}, {@code error}, and always a final {@code exit}). The command
 * really runs, with {@code /bin/sh -c}, in the guest's own working directory.
 */
@ApplicationScoped
public class Execd {

    private static final int BODY_LIMIT = 1024 * 1024;
    private static final int LINE_LIMIT = 1024 * 1024;

    private final ObjectMapper mapper;
    private final SimulatorConfig config;
    private final Vertx vertx;
    private final Map<Integer, Set<Process>> running = new ConcurrentHashMap<>();

    public Execd(ObjectMapper mapper, SimulatorConfig config, Vertx vertx) {
        this.mapper = mapper;
        this.config = config;
        this.vertx = vertx;
    }

    void handle(GuestNetwork.GuestEndpoint guest, HttpServerRequest req) {
        String path = req.path();
        if (path.equals("/healthz")) {
            req.response().putHeader("Content-Type", "text/plain; charset=utf-8").end("ok");
            return;
        }
        if (!path.equals("/exec")) {
            text(req.response(), 404, "404 page not found");
            return;
        }
        if (req.method() != HttpMethod.POST) {
            text(req.response(), 405, "method not allowed");
            return;
        }
        String contentType = req.getHeader("Content-Type");
        if (contentType == null || !contentType.contains("application/json")) {
            text(req.response(), 415, "content-type must be application/json");
            return;
        }
        if (guest.execToken() != null && !authorized(guest.execToken(), req)) {
            text(req.response(), 401, "unauthorized");
            return;
        }
        Buffer body = Buffer.buffer();
        AtomicBoolean tooLarge = new AtomicBoolean();
        req.handler(chunk -> {
            if (body.length() + chunk.length() > BODY_LIMIT) {
                tooLarge.set(true);
            } else {
                body.appendBuffer(chunk);
            }
        });
        req.endHandler(v -> {
            if (tooLarge.get()) {
                text(req.response(), 400, "request body too large");
                return;
            }
            String command;
            long timeoutMs;
            try {
                JsonNode json = mapper.readTree(body.getBytes());
                JsonNode cmd = json == null ? null : json.get("command");
                if (cmd == null || !cmd.isTextual() || cmd.asText().trim().isEmpty()) {
                    text(req.response(), 400, "command is required");
                    return;
                }
                JsonNode timeout = json.get("timeout_ms");
                if (timeout != null && !timeout.isNull() && (!timeout.canConvertToLong() || !timeout.isIntegralNumber()
                        || timeout.asLong() < 0)) {
                    text(req.response(), 400, "timeout_ms must be a non-negative integer");
                    return;
                }
                command = cmd.asText();
                timeoutMs = timeout == null || timeout.isNull() ? 0 : timeout.asLong();
            } catch (IOException e) {
                text(req.response(), 400, "invalid JSON body");
                return;
            }
            run(guest, command, timeoutMs, req.response());
        });
    }

    private static boolean authorized(String token, HttpServerRequest req) {
        String auth = req.getHeader("Authorization");
        if (auth != null && auth.equals("Bearer " + token)) {
            return true;
        }
        if (token.equals(req.getParam("token"))) {
            return true;
        }
        var cookie = req.getCookie("_cmux_auth");
        return cookie != null && token.equals(cookie.getValue());
    }

    private static void text(HttpServerResponse response, int status, String message) {
        response.setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(message + "\n");
    }

    private void run(GuestNetwork.GuestEndpoint guest, String command, long timeoutMs, HttpServerResponse response) {
        Context context = vertx.getOrCreateContext();
        response.setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", "application/jsonlines")
                .putHeader("Cache-Control", "no-store");
        EventSink sink = new EventSink(context, response, config.exec().maxOutputBytes());
        long maxMs = config.exec().maxTimeout().toMillis();
        long effectiveTimeout = timeoutMs == 0 ? maxMs : Math.min(timeoutMs, maxMs);
        Thread.ofVirtual().name("execd-" + guest.vmid()).start(() -> execute(guest, command, timeoutMs, effectiveTimeout, sink));
    }

    private void execute(GuestNetwork.GuestEndpoint guest, String command, long requestedTimeout, long timeoutMs,
                         EventSink sink) {
        Process process;
        try {
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command).directory(guest.workDir().toFile());
            Map<String, String> env = pb.environment();
            env.clear();
            env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
            env.put("HOME", guest.workDir().toString());
            env.put("LANG", "C.UTF-8");
            env.put("HOSTNAME", guest.type() + "-" + guest.vmid());
            env.putAll(guest.env());
            env.remove("CMUX_EXECD_AUTH_TOKEN");
            process = pb.start();
        } catch (IOException | RuntimeException e) {
            sink.event("error", "message", "failed to start command: " + e.getMessage());
            sink.exit(127);
            return;
        }
        Set<Process> processes = running.computeIfAbsent(guest.vmid(), k -> ConcurrentHashMap.newKeySet());
        processes.add(process);
        sink.onClientGone(() -> kill(process));
        try {
            process.getOutputStream().close();
            Thread out = Thread.ofVirtual().start(() -> pump(process.getInputStream(), "stdout", sink));
            Thread err = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), "stderr", sink));
            boolean finished = process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
            if (!finished) {
                kill(process);
            }
            out.join(5_000);
            err.join(5_000);
            if (sink.truncated()) {
                sink.event("error", "message", "output truncated after " + config.exec().maxOutputBytes() + " bytes");
            }
            if (sink.clientGone()) {
                sink.event("error", "message", "request canceled by client");
                sink.exit(1);
            } else if (!finished) {
                sink.event("error", "message", "timeout after " + (requestedTimeout == 0 ? timeoutMs : requestedTimeout) + "ms");
                sink.exit(124);
            } else if (!process.isAlive() && process.exitValue() >= 0) {
                sink.exit(process.exitValue());
            } else {
                sink.exit(1);
            }
        } catch (InterruptedException | IOException e) {
            kill(process);
            sink.event("error", "message", e.toString());
            sink.exit(1);
        } finally {
            processes.remove(process);
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Kills a guest's running commands (it is stopping). */
    void killAll(int vmid) {
        Set<Process> processes = running.remove(vmid);
        if (processes != null) {
            processes.forEach(Execd::kill);
        }
    }

    /** Reads a stream line by line (CR stripped, empty lines skipped, lines capped at 1 MiB). */
    private static void pump(InputStream in, String type, EventSink sink) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == '\n' || line.size() >= LINE_LIMIT) {
                        emit(line, type, sink);
                        if (b != '\n') {
                            line.write(b);
                        }
                    } else {
                        line.write(b);
                    }
                }
            }
        } catch (IOException e) {
            // the process was killed: its pipes close under us
        }
        emit(line, type, sink);
    }

    private static void emit(ByteArrayOutputStream line, String type, EventSink sink) {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (s.endsWith("\r")) {
            s = s.substring(0, s.length() - 1);
        }
        if (!s.isEmpty()) {
            sink.output(type, s);
        }
    }

    /** Writes events in order to the response, on its Vert.x context, within the output budget. */
    private final class EventSink {
        private final Context context;
        private final HttpServerResponse response;
        private final long budget;
        private final AtomicLong used = new AtomicLong();
        private final AtomicBoolean truncated = new AtomicBoolean();
        private final AtomicBoolean gone = new AtomicBoolean();
        private volatile Runnable onGone;

        EventSink(Context context, HttpServerResponse response, long budget) {
            this.context = context;
            this.response = response;
            this.budget = budget;
            context.runOnContext(v -> response.closeHandler(x -> {
                gone.set(true);
                Runnable r = onGone;
                if (r != null) {
                    r.run();
                }
            }));
        }

        void onClientGone(Runnable r) {
            onGone = r;
            if (gone.get()) {
                r.run();
            }
        }

        boolean clientGone() {
            return gone.get();
        }

        boolean truncated() {
            return truncated.get();
        }

        void output(String type, String data) {
            // the budget counts what goes over the wire: the event line, not just the data
            if (used.addAndGet(data.length() + 32L) > budget) {
                truncated.set(true);
                return;
            }
            event(type, "data", data);
        }

        synchronized void event(String type, String key, String value) {
            ObjectNode node = mapper.createObjectNode().put("type", type).put(key, value);
            write(node);
        }

        synchronized void exit(int code) {
            ObjectNode node = mapper.createObjectNode().put("type", "exit").put("code", code);
            write(node);
            context.runOnContext(v -> {
                if (!gone.get()) {
                    response.end();
                }
            });
        }

        private void write(ObjectNode node) {
            Buffer line;
            try {
                line = Buffer.buffer(mapper.writeValueAsBytes(node)).appendByte((byte) '\n');
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            context.runOnContext(v -> {
                if (!gone.get() && !response.ended()) {
                    response.write(line);
                }
            });
        }
    }
}
