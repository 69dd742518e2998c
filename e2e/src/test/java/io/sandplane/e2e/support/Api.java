package io.sandplane.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** The public API of one sandbox-api replica, called over HTTP as a user's script would. */
public final class Api {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** A waiting start may sit behind the clone lock of busy template copies and PVE retries. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(3);

    private final String baseUrl;

    public Api(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** An answer of the API: status, headers, body (parsed on demand). */
    public record Answer(int status, HttpHeaders headers, String body) {
        public JsonNode json() {
            return Json.parse(body);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + body;
        }
    }

    public Answer get(String path, String bearer) {
        return send("GET", path, bearer, null, Map.of());
    }

    public Answer post(String path, String bearer, Object json) {
        return send("POST", path, bearer, json, Map.of());
    }

    public Answer put(String path, String bearer, Object json) {
        return send("PUT", path, bearer, json, Map.of());
    }

    public Answer delete(String path, String bearer) {
        return send("DELETE", path, bearer, null, Map.of());
    }

    /** @param json a string (sent as is), a Jackson node or anything Jackson writes; null for no body */
    public Answer send(String method, String path, String bearer, Object json, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(REQUEST_TIMEOUT);
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        headers.forEach(request::header);
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            String body = json instanceof String s ? s : Json.write(json);
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        try {
            HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " on " + baseUrl + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The sandbox as the API shows it; fails unless the API answers 200. */
    public JsonNode sandbox(String id, String key) {
        Answer a = get("/api/sandboxes/" + id, key);
        if (a.status() != 200) {
            throw new AssertionError("GET /api/sandboxes/" + id + ": " + a);
        }
        return a.json();
    }

    public String status(String id, String key) {
        return sandbox(id, key).path("status").asText();
    }

    /** One server-sent event: its id, name and JSON data. */
    public record Event(String id, String name, JsonNode data) {
        public String type() {
            return data.path("type").asText();
        }
    }

    /**
     * Follows a sandbox's event stream ({@code Accept: text/event-stream}) until an event matches
     * {@code until} (returned last), the stream ends, or the timeout passes.
     */
    public List<Event> follow(String id, String key, Predicate<Event> until, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/sandboxes/" + id + "/events"))
                .header("Authorization", "Bearer " + key).header("Accept", "text/event-stream").GET().build();
        HttpResponse<InputStream> response;
        try {
            response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (response.statusCode() != 200) {
            throw new AssertionError("event stream answered " + response.statusCode());
        }
        List<Event> events = new ArrayList<>();
        InputStream body = response.body();
        CompletableFuture<List<Event>> reading = CompletableFuture.supplyAsync(() -> read(body, events, until));
        try {
            return reading.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no matching event within " + timeout + "; received " + snapshot(events));
        } catch (ExecutionException e) {
            throw new AssertionError("event stream failed after " + snapshot(events), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            try {
                body.close();
            } catch (IOException ignored) {
                // the stream is gone either way
            }
        }
    }

    private static List<Event> snapshot(List<Event> events) {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    private static List<Event> read(InputStream body, List<Event> events, Predicate<Event> until) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        Event e = new Event(id, name, Json.parse(data.toString()));
                        synchronized (events) {
                            events.add(e);
                        }
                        if (until.test(e)) {
                            return snapshot(events);
                        }
                    }
                    id = null;
                    name = null;
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                }
            }
            return snapshot(events);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
