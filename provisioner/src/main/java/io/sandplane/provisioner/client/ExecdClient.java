package io.sandplane.provisioner.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandplane.model.api.ExecRequest;
import io.sandplane.model.api.ExecResult;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.model.service.ServicePort;
import io.sandplane.provisioner.config.ProvisionerSettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Talks to cmux-execd in a guest: {@code GET /healthz}, and {@code POST /exec} whose
 * {@code application/jsonlines} answer ({@code stdout}, {@code stderr}, {@code error} events and a
 * final {@code exit}) is collected into an {@link ExecResult}, each stream capped. Hosts are tried in
 * order (IP, then FQDN) when one cannot be reached.
 */
@ApplicationScoped
public class ExecdClient {

    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
    private static final int TIMED_OUT_EXIT = 124;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private final ObjectMapper json;
    private final Optional<String> token;
    private final int maxOutput;
    private final Duration grace;

    public ExecdClient(ObjectMapper json, ProvisionerSettings settings) {
        this.json = json;
        this.token = settings.execdToken();
        this.maxOutput = settings.tuning().execMaxOutputBytes();
        this.grace = settings.tuning().execGrace();
    }

    /** Does execd answer {@code /healthz} with 200 on any of the hosts? */
    public boolean healthy(List<String> hosts) {
        for (String host : hosts) {
            HttpRequest request = authorized(HttpRequest.newBuilder(uri(host, "/healthz")).timeout(HEALTH_TIMEOUT).GET());
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not up on this address (yet)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    public ExecResult exec(List<String> hosts, ExecRequest request) {
        if (hosts.isEmpty()) {
            throw new ProblemException(409, "no-address", "Sandbox has no address",
                    "the sandbox has no known address to reach its execd");
        }
        long timeoutMs = request.effectiveTimeoutMs();
        byte[] body;
        try {
            body = json.writeValueAsBytes(Map.of("command", request.command(), "timeout_ms", timeoutMs));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode exec request", e);
        }
        IOException unreachable = null;
        for (String host : hosts) {
            HttpRequest http = authorized(HttpRequest.newBuilder(uri(host, "/exec"))
                    .timeout(Duration.ofMillis(timeoutMs).plus(grace))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
            try {
                HttpResponse<Stream<String>> response = this.http.send(http, HttpResponse.BodyHandlers.ofLines());
                Duration limit = Duration.ofMillis(timeoutMs).plus(grace);
                // The request timeout covers only the headers; this one covers a stream that stops moving.
                AtomicBoolean expired = new AtomicBoolean();
                CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> {
                    expired.set(true);
                    response.body().close();
                }, CompletableFuture.delayedExecutor(limit.toMillis(), TimeUnit.MILLISECONDS));
                try (Stream<String> lines = response.body()) {
                    if (response.statusCode() == 401 || response.statusCode() == 403) {
                        throw new ProblemException(502, "execd-unauthorized", "execd refused the request",
                                "execd in the sandbox refused the request (HTTP " + response.statusCode()
                                        + "); check EXECD_TOKEN");
                    }
                    if (response.statusCode() != 200) {
                        String text = lines.limit(5).reduce("", (a, b) -> a.isEmpty() ? b : a + " " + b);
                        throw new ProblemException(502, "execd-error", "execd failed",
                                "execd answered HTTP " + response.statusCode() + (text.isBlank() ? "" : ": " + clip(text)));
                    }
                    try {
                        return collect(lines.iterator());
                    } catch (RuntimeException e) {
                        if (expired.get()) {
                            throw new HttpTimeoutException("stream stopped");
                        }
                        throw e;
                    }
                } finally {
                    watchdog.cancel(false);
                }
            } catch (HttpConnectTimeoutException | ConnectException e) {
                unreachable = e;
            } catch (HttpTimeoutException e) {
                throw new ProblemException(504, "exec-timeout", "Exec timed out",
                        "execd did not report an exit within " + Duration.ofMillis(timeoutMs).plus(grace).toSeconds() + " s");
            } catch (IOException e) {
                unreachable = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during exec", e);
            }
        }
        throw new ProblemException(502, "execd-unreachable", "execd unreachable",
                "cannot reach execd in the sandbox at " + String.join(", ", hosts) + ": "
                        + (unreachable == null ? "" : unreachable.getClass().getSimpleName()
                        + (unreachable.getMessage() == null ? "" : " " + unreachable.getMessage())));
    }

    private ExecResult collect(Iterator<String> lines) {
        Capped stdout = new Capped(maxOutput);
        Capped stderr = new Capped(maxOutput);
        Integer exit = null;
        boolean timedOut = false;
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isBlank()) {
                continue;
            }
            JsonNode event;
            try {
                event = json.readTree(line);
            } catch (IOException e) {
                stderr.append("[sandplane] unreadable execd line: " + clip(line));
                continue;
            }
            switch (event.path("type").asText()) {
                case "stdout" -> stdout.append(event.path("data").asText());
                case "stderr" -> stderr.append(event.path("data").asText());
                case "error" -> {
                    String message = event.path("message").asText();
                    timedOut |= message.startsWith("timeout");
                    stderr.append(message);
                }
                case "exit" -> exit = event.path("code").asInt(0);
                default -> {
                    // unknown event types from a newer execd are ignored
                }
            }
        }
        if (exit == null) {
            throw new ProblemException(502, "execd-error", "execd failed",
                    "execd closed the stream without reporting an exit code");
        }
        return new ExecResult(exit, stdout.text(), stderr.text(), stdout.truncated || stderr.truncated,
                timedOut && exit == TIMED_OUT_EXIT);
    }

    private HttpRequest authorized(HttpRequest.Builder builder) {
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        return builder.build();
    }

    private static URI uri(String host, String path) {
        String literal = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return URI.create("http://" + literal + ":" + ServicePort.EXEC.port() + path);
    }

    private static String clip(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    /** Output lines joined by newlines, cut at a byte budget. */
    private static final class Capped {
        private final int max;
        private final StringBuilder text = new StringBuilder();
        private int bytes;
        private boolean truncated;

        Capped(int max) {
            this.max = max;
        }

        void append(String line) {
            if (truncated) {
                return;
            }
            String piece = text.isEmpty() ? line : "\n" + line;
            int size = piece.getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > max) {
                int room = max - bytes;
                // Keep what fits, cut on a character boundary.
                int chars = 0;
                int used = 0;
                while (chars < piece.length()) {
                    int cp = piece.codePointAt(chars);
                    int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
                    if (used + len > room) {
                        break;
                    }
                    used += len;
                    chars += Character.charCount(cp);
                }
                text.append(piece, 0, chars);
                bytes += used;
                truncated = true;
                return;
            }
            text.append(piece);
            bytes += size;
        }

        String text() {
            return text.toString();
        }
    }
}
