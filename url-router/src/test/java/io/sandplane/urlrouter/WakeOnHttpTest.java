package io.sandplane.urlrouter;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.provisioner.SharedProvisionerResource;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.urlrouter.proxy.ProxyServer;
import io.sandplane.urlrouter.support.Fixtures;
import io.sandplane.urlrouter.support.Provisioned;
import io.sandplane.urlrouter.support.ProxyClient;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Wake-on-HTTP end to end: a sandbox started and paused by the real provisioner on the simulator,
 * woken by requests through the proxy.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = SharedProvisionerResource.class, scope = TestResourceScope.GLOBAL)
class WakeOnHttpTest {

    @Inject
    ProxyServer proxy;

    private static String host(int vmid, int port) {
        return "port-" + port + "-vm-" + vmid + ".sandplane.localhost:8088";
    }

    private static Fixtures.Sandbox pausedSandbox(String token, boolean wakeOnHttp) {
        return Provisioned.paused(token, wakeOnHttp);
    }

    private static int starts(int vmid) {
        return Provisioned.guestStarts(vmid);
    }

    @Test
    void manyConcurrentRequestsWakeAPausedSandboxWithOneResume() throws Exception {
        Fixtures.Sandbox sandbox = pausedSandbox("tok-wake", true);
        int startsBefore = starts(sandbox.vmid());
        ProxyClient client = new ProxyClient(proxy.port());

        int concurrent = 16;
        ExecutorService pool = Executors.newFixedThreadPool(concurrent);
        List<CompletableFuture<ProxyClient.Response>> answers = new ArrayList<>();
        for (int i = 0; i < concurrent; i++) {
            int port = i % 2 == 0 ? 39378 : 39377;
            answers.add(CompletableFuture.supplyAsync(() -> client.get(host(sandbox.vmid(), port), "/wake",
                    Map.of("X-Sandplane-Token", "tok-wake")), pool));
        }
        for (CompletableFuture<ProxyClient.Response> answer : answers) {
            ProxyClient.Response r = answer.get();
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.json().getInteger("vmid")).isEqualTo(sandbox.vmid());
            assertThat(r.json().getString("path")).isEqualTo("/wake");
        }
        pool.shutdown();

        assertThat(Fixtures.status(sandbox.id())).isEqualTo(SandboxStatus.RUNNING);
        assertThat(starts(sandbox.vmid())).as("guest starts sent to PVE after the pause").isEqualTo(startsBefore + 1);
        assertThat(Fixtures.events(sandbox.id(), "url-router")).as("resumes the router asked for")
                .singleElement().asString().startsWith("ACTION: resume requested");
    }

    @Test
    void requestsWithoutAValidTokenNeverWakeASandbox() {
        Fixtures.Sandbox sandbox = pausedSandbox("tok-nowake", true);
        int startsBefore = starts(sandbox.vmid());
        ProxyClient client = new ProxyClient(proxy.port());
        assertThat(client.get(host(sandbox.vmid(), 39378), "/").status()).isEqualTo(401);
        assertThat(client.get(host(sandbox.vmid(), 39378), "/", Map.of("X-Sandplane-Token", "wrong")).status()).isEqualTo(401);
        assertThat(client.get(host(sandbox.vmid(), 39375), "/", Map.of("X-Sandplane-Token", "tok-nowake")).status())
                .as("the exec port is not exposed").isEqualTo(404);
        assertThat(Fixtures.status(sandbox.id())).isEqualTo(SandboxStatus.PAUSED);
        assertThat(starts(sandbox.vmid())).isEqualTo(startsBefore);
    }

    @Test
    void withoutWakeOnHttpAPausedSandboxAnswers503() {
        Fixtures.Sandbox sandbox = pausedSandbox("tok-sleep", false);
        ProxyClient.Response r = new ProxyClient(proxy.port()).get(host(sandbox.vmid(), 39378), "/",
                Map.of("X-Sandplane-Token", "tok-sleep"));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.json().getString("type")).isEqualTo("urn:sandplane:problem:sandbox-paused");
        assertThat(Fixtures.status(sandbox.id())).isEqualTo(SandboxStatus.PAUSED);
    }
}
