package io.sandplane.devsupport.simulator;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A typed client for the simulator's operator controls ({@code /_sim}) plus a few helpers tests
 * need (calling the PVE API with the simulator's token, waiting for a task, creating a guest
 * behind Sandplane's back).
 */
public final class SimulatorControl {

    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private final HttpClient http;
    private final String baseUrl;
    private final String token;

    /**
     * @param baseUrl the simulator's root, e.g. {@code http://127.0.0.1:8006}
     * @param token   an API token it accepts ({@code user@realm!tokenid=secret}) for {@link #api}
     */
    public SimulatorControl(String baseUrl, String token) {
        this(baseUrl, token, null);
    }

    /**
     * For a simulator that serves HTTPS ({@code SIM_TLS=true}).
     *
     * @param sslContext trusts its certificate (see {@link SharedSimulator#trusting}); null for the JDK's default
     */
    public SimulatorControl(String baseUrl, String token, javax.net.ssl.SSLContext sslContext) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5));
        if (sslContext != null) {
            builder.sslContext(sslContext);
        }
        this.http = builder.build();
    }

    /** Back to the configured scenario and latencies, no faults, no recorded calls, modern errors. */
    public void reset() {
        send("POST", "/_sim/reset", "{}");
    }

    /** Replaces the cluster with a scenario given as JSON (see docs/pve-simulator.md). */
    public void loadScenario(String scenarioJson) {
        send("POST", "/_sim/scenario", scenarioJson);
    }

    public String scenarioJson() {
        return send("GET", "/_sim/scenario", null);
    }

    public Map<String, Long> latencies() {
        return read(send("GET", "/_sim/latencies", null), new TypeReference<>() { });
    }

    /** Sets operation latencies in ms (clone, create, start, stop, shutdown, reboot, suspend, resume, destroy, template, snapshot, rollback, config, api, auth-failure). */
    public Map<String, Long> setLatencies(Map<String, Long> millis) {
        return read(send("PUT", "/_sim/latencies", write(millis)), new TypeReference<>() { });
    }

    /** Every latency zero: tasks finish as soon as they are started. */
    public void zeroLatencies() {
        Map<String, Long> zero = new LinkedHashMap<>();
        latencies().keySet().forEach(k -> zero.put(k, 0L));
        setLatencies(zero);
    }

    public Fault addFault(Fault fault) {
        return read(send("POST", "/_sim/faults", write(fault)), new TypeReference<>() { });
    }

    public List<Fault> faults() {
        return read(send("GET", "/_sim/faults", null), new TypeReference<>() { });
    }

    public void removeFault(String id) {
        send("DELETE", "/_sim/faults/" + id, null);
    }

    public void clearFaults() {
        send("DELETE", "/_sim/faults", null);
    }

    public List<RecordedCall> calls() {
        return calls(null, null);
    }

    /** Recorded API calls, filtered by method (null for any) and a regex over the API path (null for any). */
    public List<RecordedCall> calls(String method, String pathRegex) {
        StringBuilder q = new StringBuilder("/_sim/calls?after=0");
        if (method != null) {
            q.append("&method=").append(enc(method));
        }
        if (pathRegex != null) {
            q.append("&path=").append(enc(pathRegex));
        }
        return read(send("GET", q.toString(), null), new TypeReference<>() { });
    }

    public void clearCalls() {
        send("DELETE", "/_sim/calls", null);
    }

    /** {@code modern} (message in the body, PVE ≥ 8.4) or {@code legacy} (reason phrase only). */
    public void errorStyle(String style) {
        send("PUT", "/_sim/settings", write(Map.of("errorStyle", style)));
    }

    /** The network its guests get addresses from ({@code SIM_GUEST_NETWORK}, or the one it picked), e.g. 127.42.0.0/16. */
    public String guestNetwork() {
        return read(send("GET", "/_sim/settings", null), new TypeReference<Map<String, Object>>() { })
                .get("guestNetwork").toString();
    }

    public List<SimGuest> guests() {
        return read(send("GET", "/_sim/guests", null), new TypeReference<>() { });
    }

    public Optional<SimGuest> guest(int vmid) {
        return guests().stream().filter(g -> g.vmid() == vmid).findFirst();
    }

    /** Creates a guest directly, as if someone made it by hand on the PVE host (no task, no Sandplane). */
    public SimGuest createGuest(String node, int vmid, String type, Map<String, String> config, boolean running) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("node", node);
        body.put("vmid", vmid);
        body.put("type", type);
        body.put("status", running ? "running" : "stopped");
        body.put("config", config);
        return read(send("POST", "/_sim/guests", write(body)), new TypeReference<>() { });
    }

    /** Removes a guest at once, as if it vanished from the host (no task). */
    public void removeGuest(int vmid) {
        send("DELETE", "/_sim/guests/" + vmid, null);
    }

    /** Calls the PVE API with the token; returns status, reason phrase and parsed JSON body (null when empty). */
    public ApiResponse api(String method, String path, Map<String, String> params) {
        String form = params == null ? "" : params.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
        boolean query = method.equals("GET") || method.equals("DELETE");
        URI uri = URI.create(baseUrl + "/api2/json" + path + (query && !form.isEmpty() ? "?" + form : ""));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Authorization", "PVEAPIToken=" + token);
        if (query) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/x-www-form-urlencoded").method(method, HttpRequest.BodyPublishers.ofString(form));
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isEmpty() ? null : JSON.readTree(r.body());
            return new ApiResponse(r.statusCode(), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls a task until it stops; returns its exit status ({@code OK}, {@code WARNINGS: n} or the error). */
    public String awaitTask(String node, String upid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            ApiResponse r = api("GET", "/nodes/" + node + "/tasks/" + enc(upid) + "/status", null);
            JsonNode data = r.body() == null ? null : r.body().get("data");
            if (r.status() == 200 && data != null && "stopped".equals(data.path("status").asText())) {
                return data.path("exitstatus").asText();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("task " + upid + " did not stop within " + timeout);
    }

    /** A PVE API answer: HTTP status and body ({@code {"data": …}}). */
    public record ApiResponse(int status, JsonNode body) {
        public JsonNode data() {
            return body == null ? null : body.get("data");
        }
    }

    private String send(String method, String path, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
