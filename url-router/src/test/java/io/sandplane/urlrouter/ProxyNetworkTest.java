package io.sandplane.urlrouter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.provisioner.SharedProvisionerResource;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.service.AuthMode;
import io.sandplane.urlrouter.proxy.ProxyServer;
import io.sandplane.urlrouter.support.EchoGuest;
import io.sandplane.urlrouter.support.Fixtures;
import io.sandplane.urlrouter.support.ProxyClient;
import io.sandplane.urlrouter.support.ProxyClient.Response;
import io.sandplane.urlrouter.support.TrapGuest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy reaches only the sandbox network: in the test profile 127.0.0.0/8 (PVE_IP_POOL_CIDR), less the
 * tests' own 127.0.0.0/16 (SANDPLANE_CONTROL_PLANE_CIDRS), and never 127.0.0.1. A sandbox whose recorded
 * address (however it is spelt) or whose name's address lies outside gets the 502 page of a service that does not
 * answer, no connection is opened, the refusal is counted, and it is reported once on the sandbox.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = SharedProvisionerResource.class, scope = TestResourceScope.GLOBAL)
class ProxyNetworkTest {

    @Inject
    ProxyServer proxy;

    @Inject
    MeterRegistry registry;

    ProxyClient client;

    @BeforeEach
    void connect() {
        client = new ProxyClient(proxy.port());
    }

    private static String host(int vmid, int port) {
        return ProxyTest.host(vmid, port);
    }

    @Test
    void theControlPlanesAddressesAreNeverConnectedToHoweverTheRecordedAddressSpellsThem() {
        // Listeners where the control plane lives: this host's 127.0.0.1, and 127.0.5.7 in the configured 127.0.0.0/16.
        try (TrapGuest loopback = TrapGuest.startOn("127.0.0.1", 0); TrapGuest controlPlane = TrapGuest.startOn("127.0.5.7", 0)) {
            Map<String, TrapGuest> spellings = new java.util.LinkedHashMap<>();
            for (String spelling : List.of("127.0.0.1", "::ffff:127.0.0.1", "::FFFF:127.0.0.1", "0:0:0:0:0:ffff:7f00:1",
                    "::ffff:7f00:1", "0000:0000:0000:0000:0000:ffff:7f00:0001", "127.000.000.001", "0127.0.0.1", "127.1",
                    "127.0.1", "2130706433", "0x7f000001", "0x7f.0.0.1", "017700000001", "localhost", "LOCALHOST", " 127.0.0.1",
                    "127.0.0.1 ", "127.0.0.1.", "[::ffff:127.0.0.1]", "127.0.0.1%lo", "127.0.0.1/8")) {
                spellings.put(spelling, loopback);
            }
            for (String spelling : List.of("127.0.5.7", "::ffff:127.0.5.7", "::ffff:7f00:507", "127.0.5.07", "127.0.1287")) {
                spellings.put(spelling, controlPlane);
            }
            List<String> reached = new ArrayList<>();
            spellings.forEach((spelling, trap) -> {
                Fixtures.Sandbox s = Fixtures.sandbox().ip(spelling).service("app", trap.port(), AuthMode.PUBLIC).insert();
                Response r = client.get(host(s.vmid(), trap.port()), "/", Map.of("Accept", "application/json"));
                if (r.status() != 502 || !r.json().getString("type").endsWith(":bad-gateway")) {
                    reached.add("'" + spelling + "' -> " + r.status() + " " + r.text());
                }
                assertThat(r.text()).as("nothing about the address").doesNotContain("127.").doesNotContain("7f00");
            });
            assertThat(reached).as("every spelling answered the 502 page").isEmpty();
            assertThat(loopback.connections()).as("connections to 127.0.0.1").isZero();
            assertThat(controlPlane.connections()).as("connections to 127.0.5.7").isZero();
        }
    }

    @Test
    void anAddressOutsideThePoolIsRefusedAtOnceAndCountedAndReportedOncePerSandboxAndAddress() {
        double before = refusals();
        Fixtures.Sandbox s = Fixtures.sandbox().ip("192.0.2.7").service("app", 8080, AuthMode.PUBLIC).insert();
        for (int i = 0; i < 3; i++) {
            // Without an attempt: where 192.0.2.0/24 (TEST-NET-1) is routed at all, an attempt would hang until the 504.
            Response r = client.get(host(s.vmid(), 8080), "/");
            assertThat(r.status()).isEqualTo(502);
        }
        assertThat(refusals() - before).isEqualTo(3.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> Fixtures.events(s.id(), "url-router").size() == 1);
        assertThat(Fixtures.events(s.id(), "url-router")).containsExactly(
                "ERROR: requests not forwarded: the sandbox's address 192.0.2.7 is not one the proxy may reach");
        client.get(host(s.vmid(), 8080), "/");
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> Fixtures.events(s.id(), "url-router").size() == 1);

        // Another refused address is another event.
        Fixtures.setIp(s.id(), "192.0.2.8");
        await().atMost(Duration.ofSeconds(10)).until(() -> client.get(host(s.vmid(), 8080), "/").status() == 502
                && Fixtures.events(s.id(), "url-router").size() == 2);
        assertThat(Fixtures.events(s.id(), "url-router").getLast()).contains("192.0.2.8");
    }

    @Test
    void aSandboxWhoseAddressLeavesTheNetworkStopsBeingRoutedAndComesBackWhenItReturns() {
        try (EchoGuest guest = EchoGuest.start(5173)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).service("preview", 5173, AuthMode.PUBLIC).insert();
            assertThat(client.get(host(s.vmid(), 5173), "/").status()).isEqualTo(200);
            int served = guest.requests();

            // The guest's new address is the mapped spelling of this host's loopback (refused as no plain address, and
            // loopback if it were read): the route changes at once (NOTIFY).
            Fixtures.setIp(s.id(), "::ffff:127.0.0.1");
            await().atMost(Duration.ofSeconds(5)).until(() -> client.get(host(s.vmid(), 5173), "/").status() == 502);
            assertThat(guest.requests()).isEqualTo(served);
            await().atMost(Duration.ofSeconds(10)).until(() -> Fixtures.events(s.id(), "url-router").size() == 1);

            Fixtures.setIp(s.id(), guest.ip());
            await().atMost(Duration.ofSeconds(5)).until(() -> client.get(host(s.vmid(), 5173), "/").status() == 200);
        }
    }

    @Test
    void aSandboxTheIsolationAuditFoundUnisolatedIsNotRoutedUntilTheProblemIsCleared() {
        try (EchoGuest guest = EchoGuest.start(5173)) {
            Fixtures.Sandbox s = Fixtures.sandbox().ip(guest.ip()).service("preview", 5173, AuthMode.PUBLIC).insert();
            assertThat(client.get(host(s.vmid(), 5173), "/").status()).isEqualTo(200);
            int served = guest.requests();
            double before = notIsolated();

            // What the reaper records when the guest's firewall was switched off: the route changes at once (NOTIFY, V72).
            Fixtures.update("update sandboxes set isolation_problem = ?, isolation_checked_at = now() where id = ?",
                    "the guest's firewall option enable is 0, not 1", s.id());
            await().atMost(Duration.ofSeconds(5)).until(() -> client.get(host(s.vmid(), 5173), "/").status() == 502);
            Response refused = client.get(host(s.vmid(), 5173), "/", Map.of("Accept", "application/json"));
            assertThat(refused.status()).isEqualTo(502);
            assertThat(refused.json().getString("type")).endsWith(":bad-gateway");
            assertThat(refused.text()).as("nothing about why").doesNotContain("firewall");
            assertThat(guest.requests()).as("nothing reached the guest").isEqualTo(served);
            assertThat(notIsolated() - before).isGreaterThanOrEqualTo(2.0);
            assertThat(Fixtures.events(s.id(), "url-router")).as("the reaper reports it, not every router replica").isEmpty();

            Fixtures.update("update sandboxes set isolation_problem = null, isolation_checked_at = now() where id = ?", s.id());
            await().atMost(Duration.ofSeconds(5)).until(() -> client.get(host(s.vmid(), 5173), "/").status() == 200);
        }
    }

    @Test
    void aNameIsJudgedByTheAddressItResolvesToWhenTheConnectionOpens() {
        // localhost is the one name every machine resolves: to this host's own loopback.
        try (TrapGuest loopback = TrapGuest.startOn("127.0.0.1", 0)) {
            Fixtures.Sandbox s = Fixtures.sandbox().fqdn("localhost", "localhost").service("app", loopback.port(), AuthMode.PUBLIC)
                    .insert();
            double before = refusals();
            Response r = client.get(host(s.vmid(), loopback.port()), "/", Map.of("Accept", "text/html"));
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.text()).contains("did not answer").doesNotContain("localhost").doesNotContain("127.0.0.1");
            assertThat(loopback.connections()).isZero();
            assertThat(refusals() - before).isEqualTo(1.0);
            await().atMost(Duration.ofSeconds(10)).until(() -> Fixtures.events(s.id(), "url-router").size() == 1);
            assertThat(Fixtures.events(s.id(), "url-router").getFirst()).contains("localhost (127.0.0.1)");
        }
    }

    private double notIsolated() {
        return registry.find("sandplane.proxy.requests").tag("outcome", "not_isolated").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private double refusals() {
        return registry.find("sandplane.proxy.requests").tag("outcome", "address_refused").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
