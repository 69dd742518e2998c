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
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
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
            // As execd (exec.CommandContext): at the deadline the shell is killed, and only the shell; what it
            // started lives on.
            boolean killedAtDeadline = !process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
            if (killedAtDeadline) {
                // the signal only: Process.destroyForcibly would also close our ends of the pipes
                process.toHandle().destroyForcibly();
            }
            // As execd, the answer waits until both pipes are closed: a job still holding one (a background job,
            // a child of the killed shell) keeps the exec open. The simulator's own limit ends even that.
            long left = config.exec().maxTimeout().toMillis();
            out.join(left);
            err.join(Math.max(1, left));
            if (out.isAlive() || err.isAlive()) {
                kill(process);
                out.join();
                err.join();
            }
            process.waitFor();
            if (sink.truncated()) {
                sink.event("error", "message", "output truncated after " + config.exec().maxOutputBytes() + " bytes");
            }
            if (sink.clientGone()) {
                sink.event("error", "message", "request canceled by client");
                sink.exit(1);
            } else if (killedAtDeadline) {
                sink.event("error", "message", "timeout after " + (requestedTimeout == 0 ? timeoutMs : requestedTimeout) + "ms");
                sink.exit(124);
            } else if (process.exitValue() >= 0) {
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
            closeQuietly(process.getInputStream());
            closeQuietly(process.getErrorStream());
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // the process is gone; nothing is left to read
        }
    }

    /** The shell and everything it started: a client that went away, the simulator's own limit, a stopping guest. */
    private static void kill(Process process) {
        // the shell first, so it cannot run another command once its child dies; then its children
        java.util.List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
    }

    /** Kills a guest's running commands (it is stopping). */
    void killAll(int vmid) {
        Set<Process> processes = running.remove(vmid);
        if (processes != null) {
            processes.forEach(Execd::kill);
        }
    }

    /**
     * Reads a stream as cmux-execd does (a bufio.Scanner with 1 MiB tokens): each line without its trailing CRs,
     * empty lines skipped, the last line also without a newline. A line that reaches 1 MiB ends the reading with
     * the Scanner's error, and the stream is not read again: the command blocks once the pipe is full, until its
     * timeout — as under the real execd.
     */
    private static void pump(InputStream in, String type, EventSink sink) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == '\n') {
                        emit(line, type, sink);
                        continue;
                    }
                    line.write(b);
                    if (line.size() >= LINE_LIMIT) {
                        sink.event("error", "message", type + " read failed: bufio.Scanner: token too long");
                        return;
                    }
                }
            }
        } catch (IOException e) {
            // the process was killed: its pipes close under us
        }
        emit(line, type, sink);
    }

    private static void emit(ByteArrayOutputStream line, String type, EventSink sink) {
        byte[] bytes = line.toByteArray();
        line.reset();
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == '\r') {
            end--;
        }
        if (end > 0) {
            sink.output(type, asGoString(bytes, end));
        }
    }

    /**
     * The bytes as execd's JSON encoder (Go's encoding/json) writes them: invalid UTF-8 becomes U+FFFD, one for
     * every byte that does not decode (Java's own replacement would put one for a whole malformed sequence).
     */
    static String asGoString(byte[] bytes, int length) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
        CharBuffer out = CharBuffer.allocate(length);
        CoderResult result;
        while ((result = decoder.decode(in, out, true)).isError()) {
            for (int i = 0; i < result.length(); i++) {
                out.put('\uFFFD');
            }
            in.position(in.position() + result.length());
        }
        decoder.flush(out);
        return out.flip().toString();
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
