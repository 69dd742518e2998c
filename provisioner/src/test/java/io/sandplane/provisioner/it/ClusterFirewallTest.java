package io.sandplane.provisioner.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.provisioner.provider.pve.ClusterFirewall;
import io.sandplane.provisioner.service.LockSession;
import io.sandplane.provisioner.service.OperationLocks;
import io.sandplane.provisioner.support.Sim;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The datacenter's IP sets and security groups: created from nothing, put back exactly when someone changed them,
 * and reconciled by one provisioner at a time (a PostgreSQL advisory lock per cluster, as another replica would hold).
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class ClusterFirewallTest {

    @Inject
    ClusterFirewall firewall;

    @Inject
    OperationLocks locks;

    @BeforeEach
    void freshSimulator() {
        Sim.fresh();
        firewall.forget();
    }

    @Test
    void fromNothingEverySetAndGroupIsMade() {
        firewall.requireReady();

        assertThat(entries("sandplane-routers")).containsExactly("127.0.0.1");
        assertThat(entries("sandplane-provisioners")).containsExactly("127.0.0.1");
        assertThat(entries("sandplane-private")).contains("10.0.0.0/8", "169.254.0.0/16", "192.168.0.0/16");
        assertThat(rules("sandplane-in")).containsExactly("in ACCEPT +dc/sandplane-routers tcp",
                "in ACCEPT +dc/sandplane-provisioners tcp 39375");
        assertThat(rules("sandplane-public")).containsExactly("out ACCEPT +dc/sandplane-egress-allowed",
                "out REJECT +dc/sandplane-control-plane", "out REJECT +dc/sandplane-private");
    }

    @Test
    void whatSomeoneChangedIsPutBackExactly() {
        firewall.requireReady();
        api("POST", "/cluster/firewall/ipset/sandplane-routers", Map.of("cidr", "192.168.7.0/24"));
        api("POST", "/cluster/firewall/groups/sandplane-in", Map.of("type", "in", "action", "ACCEPT", "enable", "1"));
        api("DELETE", "/cluster/firewall/groups/sandplane-public/2", null);
        firewall.forget();

        firewall.requireReady();

        assertThat(entries("sandplane-routers")).containsExactly("127.0.0.1");
        assertThat(rules("sandplane-in")).containsExactly("in ACCEPT +dc/sandplane-routers tcp",
                "in ACCEPT +dc/sandplane-provisioners tcp 39375");
        assertThat(rules("sandplane-public")).hasSize(3).last().isEqualTo("out REJECT +dc/sandplane-private");
    }

    @Test
    void anotherReplicasReconcileIsWaitedForAndNothingIsDoneTwice() {
        CompletableFuture<Void> mine;
        try (LockSession other = locks.lockShared(OperationLocks.firewallKey("default"), Duration.ofSeconds(5), "test")) {
            mine = CompletableFuture.runAsync(firewall::requireReady);
            Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !mine.isDone());
            assertThat(Sim.control().calls("POST", "/cluster/firewall/.*")).as("nothing written while it waits").isEmpty();
        }
        mine.join();
        firewall.forget();
        firewall.requireReady();
        assertThat(rules("sandplane-in")).hasSize(2);
        assertThat(entries("sandplane-routers")).hasSize(1);
    }

    private static void api(String method, String path, Map<String, String> params) {
        var answer = Sim.control().api(method, path, params);
        assertThat(answer.status()).as(method + " " + path + ": " + answer.body()).isEqualTo(200);
    }

    private static List<String> entries(String set) {
        List<String> out = new ArrayList<>();
        Sim.control().api("GET", "/cluster/firewall/ipset/" + set, null).data().forEach(e -> out.add(e.path("cidr").asText()));
        return out;
    }

    private static List<String> rules(String group) {
        List<String> out = new ArrayList<>();
        Sim.control().api("GET", "/cluster/firewall/groups/" + group, null).data().forEach(r -> {
            StringBuilder rule = new StringBuilder(r.path("type").asText() + " " + r.path("action").asText());
            for (String field : List.of("source", "dest", "proto", "dport")) {
                if (r.hasNonNull(field)) {
                    rule.append(' ').append(r.get(field).asText());
                }
            }
            out.add(rule.toString());
        });
        return out;
    }
}
