package io.sandplane.urlrouter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.test.SharedPostgres;
import io.sandplane.devsupport.test.SharedUrlRouter;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.service.AuthMode;
import io.sandplane.urlrouter.support.EchoGuest;
import io.sandplane.urlrouter.support.Fixtures;
import io.sandplane.urlrouter.support.ProxyClient;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
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
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(router.internalUrl() + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("sandplane_proxy_requests_total");
        }
    }

    @Test
    void aPausedOrDeletedSandboxStopsRoutingOnEveryReplicaWithinOneSecond() throws Exception {
        SharedUrlRouter first = SharedUrlRouter.get();
        int secondProxyPort = freePort();
        try (ServiceProcess second = ServiceProcess.of("url-router").env(SharedPostgres.datasourceEnv())
                .env("SANDPLANE_INTERNAL_TOKEN", SharedUrlRouter.INTERNAL_TOKEN)
                .env("SANDPLANE_PROXY_PORT", Integer.toString(secondProxyPort))
                .env("SANDPLANE_PROXY_HOST", "127.0.0.1")
                .env("PVE_PUBLIC_DOMAIN", first.publicDomain())
                .start();
                EchoGuest guest = EchoGuest.start(5173)) {
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

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
