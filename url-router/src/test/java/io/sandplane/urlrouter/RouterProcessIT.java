package io.sandplane.urlrouter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.test.SharedPostgres;
import io.sandplane.devsupport.test.SharedUrlRouter;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.service.AuthMode;
import io.sandplane.urlrouter.support.EchoGuest;
import io.sandplane.urlrouter.support.Fixtures;
import io.sandplane.urlrouter.support.Provisioned;
import io.sandplane.urlrouter.support.ProxyClient;
import io.sandplane.urlrouter.support.TrapGuest;
import io.sandplane.urlrouter.support.UnansweringService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The built url-router as users run it (a process configured by environment variables, started by
 * dev-support's {@link SharedUrlRouter}), and two replicas of it over one database.
 */
class RouterProcessIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void servesTheInternalApiAndTheProxyOnSeparateListeners() throws Exception {
        SharedUrlRouter router = SharedUrlRouter.get();
        try (EchoGuest guest = EchoGuest.start(5173)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).insert();
            HttpResponse<String> exposed = HTTP.send(HttpRequest.newBuilder(
                    URI.create(router.internalUrl() + "/internal/sandboxes/" + s.id() + "/services/preview"))
                    .header("X-Sandplane-Internal-Token", SharedUrlRouter.INTERNAL_TOKEN)
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"port\": 5173, \"authMode\": \"public\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(exposed.statusCode()).isEqualTo(200);
            assertThat(exposed.body()).contains("\"url\":\"http://" + router.publicHost(s.vmid(), 5173) + "\"");

            ProxyClient proxy = new ProxyClient(router.proxyPort());
            ProxyClient.Response routed = proxy.get(router.publicHost(s.vmid(), 5173), "/hello");
            assertThat(routed.status()).isEqualTo(200);
            assertThat(routed.json().getString("guest")).isEqualTo(guest.ip());

            assertThat(proxy.get("127.0.0.1:" + router.proxyPort(), "/internal/sandboxes/" + s.id() + "/services",
                    Map.of("X-Sandplane-Internal-Token", SharedUrlRouter.INTERNAL_TOKEN)).status()).isEqualTo(404);
            assertThat(proxy.get("127.0.0.1:" + router.proxyPort(), "/q/health/ready").status()).isEqualTo(404);
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(router.managementUrl() + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            // Forwarded requests are counted by the latency timer: the two series are the same number.
            double forwarded = sample(metrics, "sandplane_proxy_requests_total\\{outcome=\"forwarded\"[^}]*} (\\S+)");
            assertThat(forwarded).isGreaterThanOrEqualTo(1);
            assertThat(sample(metrics, "sandplane_proxy_upstream_latency_seconds_count(?:\\{[^}]*})? (\\S+)")).isEqualTo(forwarded);
        }
    }

    private static double sample(String metrics, String pattern) {
        Matcher matcher = Pattern.compile(pattern).matcher(metrics);
        assertThat(matcher.find()).as("%s in%n%s", pattern, metrics).isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    @Test
    void aPausedOrDeletedSandboxStopsRoutingOnEveryReplicaWithinOneSecond() throws Exception {
        SharedUrlRouter first = SharedUrlRouter.get();
        try (ServiceProcess second = replica(first).start();
                EchoGuest guest = EchoGuest.start(5173)) {
            int secondProxyPort = SharedUrlRouter.proxyPort(second);
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).service("preview", 5173, AuthMode.PUBLIC).insert();
            String host = first.publicHost(s.vmid(), 5173);
            ProxyClient a = new ProxyClient(first.proxyPort());
            ProxyClient b = new ProxyClient(secondProxyPort);
            // Both replicas have the route cached.
            assertThat(a.get(host, "/").status()).isEqualTo(200);
            assertThat(b.get(host, "/").status()).isEqualTo(200);

            Fixtures.setStatus(s.id(), SandboxStatus.PAUSED);
            long paused = System.nanoTime();
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> a.get(host, "/").status() == 503 && b.get(host, "/").status() == 503);
            assertThat(Duration.ofNanos(System.nanoTime() - paused)).isLessThan(Duration.ofSeconds(1));

            Fixtures.setStatus(s.id(), SandboxStatus.RUNNING);
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> a.get(host, "/").status() == 200 && b.get(host, "/").status() == 200);

            Fixtures.delete(s.id());
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> a.get(host, "/").status() == 404 && b.get(host, "/").status() == 404);
        }
    }

    @Test
    void requestsAtTwoReplicasWakeAPausedSandboxWithOneResume() throws Exception {
        SharedUrlRouter first = SharedUrlRouter.get();
        try (ServiceProcess second = replica(first)
                .env("SANDPLANE_PROVISIONER_URL", io.sandplane.devsupport.provisioner.SharedProvisioner.get().url())
                .start()) {
            int secondProxyPort = SharedUrlRouter.proxyPort(second);
            Fixtures.Sandbox sandbox = Provisioned.paused("tok-replicas", true);
            int startsBefore = Provisioned.guestStarts(sandbox.vmid());
            String host = first.publicHost(sandbox.vmid(), 39378);
            ProxyClient[] replicas = { new ProxyClient(first.proxyPort()), new ProxyClient(secondProxyPort) };
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
            java.util.List<java.util.concurrent.Future<ProxyClient.Response>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                ProxyClient replica = replicas[i % 2];
                answers.add(pool.submit(() -> replica.get(host, "/", Map.of("X-Sandplane-Token", "tok-replicas"))));
            }
            for (var answer : answers) {
                ProxyClient.Response r = answer.get();
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                assertThat(r.json().getInteger("vmid")).isEqualTo(sandbox.vmid());
            }
            pool.shutdown();
            assertThat(Provisioned.guestStarts(sandbox.vmid())).as("guest starts after the pause").isEqualTo(startsBefore + 1);
            assertThat(Fixtures.events(sandbox.id(), "url-router")).as("resume requests, all replicas together").hasSize(1);
        }
    }

    @Test
    void aServiceThatNeverAnswersGetsA504PageOnceTheIdleTimeoutPassesAndOneThatNeverAcceptsOnceTheConnectTimeoutPasses()
            throws Exception {
        SharedUrlRouter first = SharedUrlRouter.get();
        try (ServiceProcess router = replica(first)
                .env("SANDPLANE_PROXY_CONNECT_TIMEOUT", "1s")
                .env("SANDPLANE_PROXY_IDLE_TIMEOUT", "2s")
                .start();
                UnansweringService silent = UnansweringService.silent();
                UnansweringService blackhole = UnansweringService.blackhole()) {
            ProxyClient proxy = new ProxyClient(SharedUrlRouter.proxyPort(router));
            Fixtures.Sandbox quiet = Fixtures.sandbox().ip(silent.ip()).service("app", silent.port(), AuthMode.PUBLIC).insert();
            Fixtures.Sandbox unreachable = Fixtures.sandbox().ip(blackhole.ip()).service("app", blackhole.port(), AuthMode.PUBLIC).insert();

            long start = System.nanoTime();
            ProxyClient.Response idle = proxy.get(first.publicHost(quiet.vmid(), silent.port()), "/", Map.of("Accept", "text/html"));
            Duration idleTook = Duration.ofNanos(System.nanoTime() - start);
            assertThat(idle.status()).isEqualTo(504);
            assertThat(idle.text()).contains("did not answer in time");
            assertThat(silent.accepted()).as("the request reached the service").isEqualTo(1);
            // Not before the idle timeout, and not much after it (the client's own connection lasts longer).
            assertThat(idleTook).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(10));

            start = System.nanoTime();
            ProxyClient.Response connect = proxy.get(first.publicHost(unreachable.vmid(), blackhole.port()), "/");
            Duration connectTook = Duration.ofNanos(System.nanoTime() - start);
            assertThat(connect.status()).isEqualTo(504);
            assertThat(connect.json().getString("type")).isEqualTo("urn:sandplane:problem:gateway-timeout");
            assertThat(connectTook).isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));

            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(router.managementUrl() + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern("sandplane_proxy_requests_total\\{outcome=\"gateway_timeout\"[^}]*} 2\\.0");
        }
    }

    @Test
    void aServiceRecordedByNameIsReachedAtTheAddressItsNameHasOnlyInsideTheSandboxNetwork() throws Exception {
        SharedUrlRouter first = SharedUrlRouter.get();
        // Names resolved by this router's JVM come from a hosts file of the test's own (the JDK's resolver reads it
        // instead of the system's), so a name can point into the guest network, or at this host's loopback.
        Path hosts = Files.createTempFile("url-router-hosts-", "");
        try (EchoGuest guest = EchoGuest.start(0); TrapGuest loopback = TrapGuest.startOn("127.0.0.1", 0)) {
            Files.writeString(hosts, guest.ip() + " guest.sandplane.test\n127.0.0.1 localhost control.sandplane.test\n");
            try (ServiceProcess router = replica(first).jvmOptions(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "-Djdk.net.hosts.file=" + hosts)).start()) {
                ProxyClient proxy = new ProxyClient(SharedUrlRouter.proxyPort(router));
                Fixtures.Sandbox named = Fixtures.sandbox().fqdn("guest", "guest.sandplane.test")
                        .service("app", guest.port(), AuthMode.PUBLIC).insert();
                Fixtures.Sandbox control = Fixtures.sandbox().fqdn("control", "control.sandplane.test")
                        .service("app", loopback.port(), AuthMode.PUBLIC).insert();

                ProxyClient.Response reached = proxy.get(first.publicHost(named.vmid(), guest.port()), "/by-name");
                assertThat(reached.status()).as(reached.text()).isEqualTo(200);
                assertThat(reached.json().getString("guest")).isEqualTo(guest.ip());

                ProxyClient.Response refused = proxy.get(first.publicHost(control.vmid(), loopback.port()), "/by-name");
                assertThat(refused.status()).isEqualTo(502);
                assertThat(loopback.connections()).as("connections to 127.0.0.1").isZero();
                await().atMost(Duration.ofSeconds(10)).until(() -> Fixtures.events(control.id(), "url-router").size() == 1);
                assertThat(Fixtures.events(control.id(), "url-router").getFirst()).contains("control.sandplane.test (127.0.0.1)");
                String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(router.managementUrl() + "/q/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(sample(metrics, "sandplane_proxy_requests_total\\{outcome=\"address_refused\"[^}]*} (\\S+)")).isEqualTo(1.0);
                assertThat(Files.readString(router.logFile())).contains("WARN").contains("not forwarding requests for sandbox "
                        + control.id() + ": its address control.sandplane.test (127.0.0.1) is an address no guest has");
            }
        } finally {
            Files.deleteIfExists(hosts);
        }
    }

    @Test
    void withoutAReadableSandboxNetworkTheRouterDoesNotStartAndSaysWhatToSet() throws Exception {
        SharedUrlRouter first = SharedUrlRouter.get();
        Map<String, String> expected = Map.of(
                "", "PVE_IP_POOL_CIDR is not set: the url-router forwards only to addresses inside the sandbox network",
                "10.10.0.1/24", "PVE_IP_POOL_CIDR: '10.10.0.1/24' has host bits set: the network is 10.10.0.0/24");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            ServiceProcess router = unconfigured(first).env("PVE_IP_POOL_CIDR", e.getKey()).startTimeout(Duration.ofSeconds(90)).build();
            assertThatThrownBy(router::start).as("PVE_IP_POOL_CIDR='%s'", e.getKey()).hasMessageContaining("exited with code");
            assertThat(Files.readString(router.logFile())).contains(e.getValue());
        }
    }

    /** Another replica of the router over the same database and domain, on proxy and HTTP ports of its own. */
    private static ServiceProcess.Builder replica(SharedUrlRouter first) {
        return unconfigured(first)
                .env("PVE_IP_POOL_CIDR", SharedUrlRouter.IP_POOL)
                .env("SANDPLANE_CONTROL_PLANE_CIDRS", SharedUrlRouter.CONTROL_PLANE);
    }

    /** The same without the sandbox network, which the router needs to start. */
    private static ServiceProcess.Builder unconfigured(SharedUrlRouter first) {
        return ServiceProcess.of("url-router").env(SharedPostgres.datasourceEnv())
                .env("SANDPLANE_INTERNAL_TOKEN", SharedUrlRouter.INTERNAL_TOKEN)
                .env("SANDPLANE_PROXY_PORT", "0")
                .env("SANDPLANE_PROXY_HOST", "127.0.0.1")
                .env("PVE_PUBLIC_DOMAIN", first.publicDomain());
    }
}
