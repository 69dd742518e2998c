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
 * final {@code exit}) is collected into an {@link ExecResult}, each stream capped. The command runs inside
 * {@link ExecFraming}'s wrapper, so the output comes back byte for byte. Hosts are tried in order (IP, then
 * FQDN) when one cannot be reached.
 */
@ApplicationScoped
public class ExecdClient {

    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
    private static final int TIMED_OUT_EXIT = 124;
    private static final int KILLED_EXIT = 137;

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
        long execdTimeoutMs = timeoutMs + ExecFraming.EXECD_BACKSTOP_MS;
        Duration limit = Duration.ofMillis(execdTimeoutMs).plus(grace);
        byte[] body;
        try {
            body = json.writeValueAsBytes(Map.of("command", ExecFraming.wrap(request.command(), timeoutMs),
                    "timeout_ms", execdTimeoutMs));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode exec request", e);
        }
        IOException unreachable = null;
        for (String host : hosts) {
            HttpRequest http = authorized(HttpRequest.newBuilder(uri(host, "/exec"))
                    .timeout(limit)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
            try {
                long started = System.nanoTime();
                HttpResponse<Stream<String>> response = this.http.send(http, HttpResponse.BodyHandlers.ofLines());
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
                        return collect(lines.iterator(), json, maxOutput, timeoutMs, started);
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
                        "execd did not report an exit within " + limit.toSeconds() + " s");
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

    /**
     * The command's output from execd's events, decoded (see {@link ExecFraming}). Anything that may have lost
     * output marks the result truncated: a limit (execd's or ours), an error execd reports, a stream without the
     * wrapper's trailer.
     *
     * @param startedNanos when the exec was sent ({@link System#nanoTime()}), for telling the wrapper's timeout
     *                     from a command's own exit 124
     */
    static ExecResult collect(Iterator<String> lines, ObjectMapper json, int maxOutput, long timeoutMs,
            long startedNanos) {
        ExecFraming.Decoded stdout = new ExecFraming.Decoded(maxOutput);
        ExecFraming.Decoded stderr = new ExecFraming.Decoded(maxOutput);
        Integer exit = null;
        Integer status = null;
        boolean execdTimedOut = false;
        boolean execdLost = false;
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isBlank()) {
                continue;
            }
            JsonNode event;
            try {
                event = json.readTree(line);
            } catch (IOException e) {
                execdLost = true;
                continue;
            }
            String data = event.path("data").asText();
            switch (event.path("type").asText()) {
                case "stdout" -> {
                    Integer trailer = ExecFraming.trailer(data);
                    if (trailer != null) {
                        status = trailer;
                    } else {
                        decode(stdout, data);
                    }
                }
                case "stderr" -> decode(stderr, data);
                case "error" -> {
                    // "timeout after Nms" (execd's backstop); anything else — output over execd's limit, a pipe it
                    // could not read, a command it could not start — means the output may be incomplete.
                    if (event.path("message").asText().startsWith("timeout")) {
                        execdTimedOut = true;
                    } else {
                        execdLost = true;
                    }
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
        boolean ranOut = Duration.ofNanos(System.nanoTime() - startedNanos).toMillis() >= timeoutMs;
        // coreutils' timeout answers 124 after TERM, 137 when it had to KILL
        boolean timedOut = (execdTimedOut && exit == TIMED_OUT_EXIT)
                || (status != null && ranOut && (status == TIMED_OUT_EXIT || status == KILLED_EXIT));
        boolean truncated = stdout.dropped() || stderr.dropped() || execdLost || status == null;
        return ExecResult.of(timedOut ? TIMED_OUT_EXIT : status != null ? status : exit, stdout.bytes(), stderr.bytes(),
                truncated, timedOut);
    }

    private static void decode(ExecFraming.Decoded stream, String line) {
        try {
            stream.append(line);
        } catch (IllegalArgumentException e) {
            throw new ProblemException(502, "exec-output-unreadable", "Exec output unreadable",
                    "the sandbox did not send its output encoded as Sandplane asked (do its templates have base64 and"
                            + " timeout from coreutils?): " + clip(line));
        }
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
}
