package io.sandplane.sandboxapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.test.SharedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of the built sandbox-api (processes configured by environment variables, as deployed)
 * over one PostgreSQL: the limits, idempotency and key revocation hold across them. Their provisioner
 * accepts connections and never answers, so background starts stay PROVISIONING (live) meanwhile.
 */
class ReplicasIT {

    private static final String OPERATOR = "replicas-it-operator-token";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern ID = Pattern.compile("\"id\":\"(sbx_[a-z2-7]+)\"");
    private static final String BACKGROUND_START = "{\"preset\":\"4vcpu_8gb_32gb\",\"wait\":false}";

    private static ServiceProcess a;
    private static ServiceProcess b;
    private static ServerSocket silentProvisioner;
    private static final List<Socket> HELD = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startReplicas() throws Exception {
        silentProvisioner = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!silentProvisioner.isClosed()) {
                try {
                    HELD.add(silentProvisioner.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        });
        Map<String, String> env = new HashMap<>(SharedPostgres.datasourceEnv());
        env.put("SANDPLANE_OPERATOR_TOKEN", OPERATOR);
        env.put("SANDPLANE_INTERNAL_TOKEN", "replicas-it-internal-token");
        env.put("SANDPLANE_PROVISIONER_URL", "http://127.0.0.1:" + silentProvisioner.getLocalPort());
        env.put("SANDPLANE_URL_ROUTER_URL", "http://127.0.0.1:9");
        a = ServiceProcess.of("sandbox-api").env(env).startTimeout(Duration.ofSeconds(120)).start();
        b = ServiceProcess.of("sandbox-api").env(env).startTimeout(Duration.ofSeconds(120)).start();
    }

    @AfterAll
    static void stopReplicas() {
        if (a != null) {
            a.stop();
        }
        if (b != null) {
            b.stop();
        }
        try {
            silentProvisioner.close();
            for (Socket s : HELD) {
                s.close();
            }
        } catch (IOException ignored) {
            // closing at the end of the class
        }
    }

    private record Team(String slug, String key, String keyId) {
    }

    private static Team team(int startsPerHour, int maxLive) throws Exception {
        String slug = "r-" + UUID.randomUUID().toString().substring(0, 10);
        send(a, "POST", "/api/admin/teams", "Bearer " + OPERATOR, "{\"slug\":\"" + slug + "\",\"name\":\"R\",\"quotas\":"
                + "{\"maxLiveSandboxes\":" + maxLive + ",\"startsPerHour\":" + startsPerHour + "}}", Map.of(), 201);
        String body = send(a, "POST", "/api/admin/teams/" + slug + "/keys", "Bearer " + OPERATOR, "{\"name\":\"it\"}", Map.of(), 201).body();
        return new Team(slug, field(body, "key"), field(body, "id"));
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        assertThat(m.find()).as("%s in %s", name, json).isTrue();
        return m.group(1);
    }

    private static HttpResponse<String> send(ServiceProcess replica, String method, String path, String authorization,
            String body, Map<String, String> headers, int expected) throws Exception {
        HttpResponse<String> r = send(replica, method, path, authorization, body, headers);
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(expected);
        return r;
    }

    private static HttpResponse<String> send(ServiceProcess replica, String method, String path, String authorization,
            String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(replica.url() + path))
                .header("Authorization", authorization)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code n} calls released at once, alternating between the two replicas. */
    private static List<HttpResponse<String>> acrossReplicas(int n, Callable2 call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ServiceProcess replica = i % 2 == 0 ? a : b;
                futures.add(pool.submit((Callable<HttpResponse<String>>) () -> {
                    go.await();
                    return call.on(replica);
                }));
            }
            go.countDown();
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) {
                answers.add(f.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface Callable2 {
        HttpResponse<String> on(ServiceProcess replica) throws Exception;
    }

    @Test
    void theHourlyStartLimitIsExactAcrossReplicas() throws Exception {
        Team team = team(4, 100);
        List<HttpResponse<String>> answers = acrossReplicas(12,
                replica -> send(replica, "POST", "/api/sandboxes", "Bearer " + team.key(), BACKGROUND_START, Map.of()));
        assertThat(answers).extracting(HttpResponse::statusCode).filteredOn(s -> s == 202).hasSize(4);
        assertThat(answers).extracting(HttpResponse::statusCode).filteredOn(s -> s == 429).hasSize(8);
        String list = send(b, "GET", "/api/sandboxes", "Bearer " + team.key(), null, Map.of(), 200).body();
        assertThat(ID.matcher(list).results().count()).isEqualTo(4);
    }

    @Test
    void theLiveQuotaIsExactAcrossReplicas() throws Exception {
        Team team = team(100, 3);
        List<HttpResponse<String>> answers = acrossReplicas(10,
                replica -> send(replica, "POST", "/api/sandboxes", "Bearer " + team.key(), BACKGROUND_START, Map.of()));
        assertThat(answers).extracting(HttpResponse::statusCode).filteredOn(s -> s == 202).hasSize(3);
        assertThat(answers).extracting(HttpResponse::statusCode).filteredOn(s -> s == 429).hasSize(7);
        assertThat(answers).filteredOn(r -> r.statusCode() == 429)
                .allSatisfy(r -> assertThat(r.body()).contains("quota-exceeded"));
    }

    @Test
    void theSameIdempotencyKeyOnBothReplicasStartsOneSandbox() throws Exception {
        Team team = team(100, 100);
        List<HttpResponse<String>> answers = acrossReplicas(6, replica -> send(replica, "POST", "/api/sandboxes",
                "Bearer " + team.key(), BACKGROUND_START, Map.of("Idempotency-Key", "both-replicas")));
        assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(202);
        assertThat(answers.stream().map(r -> field(r.body(), "id")).distinct()).hasSize(1);
        assertThat(answers).filteredOn(r -> r.headers().firstValue("Idempotent-Replayed").isEmpty()).hasSize(1);
    }

    @Test
    void aKeyRevokedOnOneReplicaIsRefusedByTheOtherWithinTheCacheTime() throws Exception {
        Team team = team(100, 100);
        // B has checked (and cached) the key.
        send(b, "GET", "/api/sandboxes", "Bearer " + team.key(), null, Map.of(), 200);
        send(a, "DELETE", "/api/admin/teams/" + team.slug() + "/keys/" + team.keyId(), "Bearer " + OPERATOR, null, Map.of(), 200);
        send(a, "GET", "/api/sandboxes", "Bearer " + team.key(), null, Map.of(), 401);
        // SANDPLANE_API_KEY_CACHE_TTL is 2 s.
        Awaitility.await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> send(b, "GET", "/api/sandboxes", "Bearer " + team.key(), null, Map.of()).statusCode() == 401);
    }
}
