package io.sandplane.provisioner.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.api.IsolationReport;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.provisioner.support.Fixtures;
import io.sandplane.provisioner.support.GuestFirewallView;
import io.sandplane.provisioner.support.InternalApi;
import io.sandplane.provisioner.support.Sim;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /internal/sandboxes/{id}/isolation}: a started sandbox is isolated, and each switch or rule changed behind
 * Sandplane's back on the (simulated) PVE is reported; it changes nothing itself.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class IsolationTest {

    @Inject
    Fixtures fixtures;

    @BeforeEach
    void freshSimulator() {
        Sim.fresh();
    }

    @Test
    void aStartedSandboxIsIsolated() {
        SandboxState s = InternalApi.provision(fixtures.sandbox().insert());

        IsolationReport report = isolation(s.id());

        assertThat(report.problems()).isEmpty();
        assertThat(report.isolated()).isTrue();
        assertThat(report.sandboxId()).isEqualTo(s.id());
        assertThat(report.address()).isEqualTo(s.ip());
        assertThat(report.checkedAt()).isNotNull();
    }

    @Test
    void whatWasSwitchedOffOrChangedBehindSandplanesBackIsReported() {
        SandboxState s = InternalApi.provision(fixtures.sandbox().insert());
        String node = s.node();
        int vmid = s.vmid();
        Sim.control().clearCalls();

        GuestFirewallView.api("PUT", node, vmid, "/options", Map.of("enable", "0"));
        GuestFirewallView.api("POST", node, vmid, "/rules", Map.of("type", "in", "action", "ACCEPT", "enable", "1"));
        GuestFirewallView.api("POST", node, vmid, "/ipset/ipfilter-net0", Map.of("cidr", "127.9.9.9"));
        String net0 = String.valueOf(Sim.control().guest(vmid).orElseThrow().config().get("net0"));
        var nic = Sim.control().api("PUT", "/nodes/" + node + "/lxc/" + vmid + "/config",
                Map.of("net0", net0.replace("firewall=1", "firewall=0")));
        assertThat(nic.status()).as(String.valueOf(nic.body())).isEqualTo(200);
        Sim.control().api("PUT", "/cluster/firewall/options", Map.of("enable", "0"));

        IsolationReport report = isolation(s.id());

        assertThat(report.isolated()).isFalse();
        assertThat(report.problems()).hasSize(5).anyMatch(p -> p.contains("datacenter firewall is off"))
                .anyMatch(p -> p.startsWith("the NIC net0 is not behind the firewall"))
                .anyMatch(p -> p.equals("the guest's firewall option enable is 0, not 1"))
                .anyMatch(p -> p.startsWith("the guest's firewall rules are not the 2 Sandplane wrote"))
                .anyMatch(p -> p.contains("lets the guest send from 127.9.9.9"));
        // Read-only: no change went to PVE other than the test's own.
        assertThat(Sim.control().calls().stream().filter(c -> !c.method().equals("GET")).count()).isEqualTo(5);
    }

    @Test
    void aStoppedSandboxIsJudgedWithoutAnAddress() {
        SandboxState s = InternalApi.provision(fixtures.sandbox().insert());
        InternalApi.stop(s.id());

        IsolationReport report = isolation(s.id());

        assertThat(report.isolated()).as(String.valueOf(report.problems())).isTrue();
        assertThat(report.address()).isNull();
    }

    @Test
    void unknownSandboxesAre404AndSandboxesWithoutAGuest409() {
        InternalApi.call("GET", "/internal/sandboxes/{id}/isolation", SandboxIds.newId()).statusCode(404)
                .contentType("application/problem+json");
        InternalApi.call("GET", "/internal/sandboxes/{id}/isolation", "not-an-id").statusCode(404);

        String unplaced = fixtures.sandbox().insert();
        InternalApi.call("GET", "/internal/sandboxes/{id}/isolation", unplaced).statusCode(409)
                .contentType("application/problem+json");

        SandboxState vanished = InternalApi.provision(fixtures.sandbox().insert());
        Sim.control().removeGuest(vanished.vmid());
        InternalApi.call("GET", "/internal/sandboxes/{id}/isolation", vanished.id()).statusCode(409);
    }

    private static IsolationReport isolation(String id) {
        return InternalApi.call("GET", "/internal/sandboxes/{id}/isolation", id).statusCode(200).extract()
                .as(IsolationReport.class);
    }
}
