package io.sandplane.provisioner.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.simulator.Fault;
import io.sandplane.devsupport.simulator.GuestProbe;
import io.sandplane.devsupport.simulator.RecordedCall;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.api.ProviderHealth;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.network.Cidr;
import io.sandplane.model.network.EgressMode;
import io.sandplane.model.network.EgressRule;
import io.sandplane.model.network.NetworkPolicy;
import io.sandplane.model.network.Ports;
import io.sandplane.model.network.Protocol;
import io.sandplane.provisioner.support.Fixtures;
import io.sandplane.provisioner.support.GuestFirewallView;
import io.sandplane.provisioner.support.InternalApi;
import io.sandplane.provisioner.support.Sim;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The firewall of a start, a resume and a recovered start, against the simulator (which enforces inbound rules by the
 * connecting address): written before the guest first runs, the DHCP lease pinned, the stored policy applied; a
 * firewall write failing half way leaves no guest; a datacenter firewall that is off refuses starts up front.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class FirewallTest {

    private static final int EXECD = 39375;
    private static final int WORKER = 39377;
    private static final String CLUSTER = "default";
    private static final NetworkPolicy LISTED = new NetworkPolicy(EgressMode.ALLOW_LIST,
            List.of(new EgressRule(Cidr.of("203.0.113.0/24"), Protocol.TCP, Ports.of("443"))));

    @TestHTTPResource(value = "health/ready", management = true)
    URI readiness;

    @Inject
    Fixtures fixtures;

    @BeforeEach
    void freshSimulator() {
        Sim.fresh();
    }

    @Test
    void aStartWritesTheFirewallBeforeTheGuestRunsAndPinsItsLease() {
        String id = fixtures.sandbox().insert();
        Sim.control().clearCalls();

        SandboxState s = InternalApi.provision(id);

        assertThat(s.status()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(String.valueOf(Sim.control().guest(s.vmid()).orElseThrow().config().get("net0"))).contains("firewall=1");
        GuestFirewallView fw = GuestFirewallView.of(s.node(), s.vmid());
        assertThat(fw.options().path("enable").asInt()).isEqualTo(1);
        assertThat(fw.options().path("ipfilter").asInt()).isEqualTo(1);
        assertThat(fw.options().path("macfilter").asInt()).isEqualTo(1);
        assertThat(fw.options().path("policy_in").asText()).isEqualTo("REJECT");
        assertThat(fw.options().path("policy_out").asText()).isEqualTo("ACCEPT");
        assertThat(fw.rules()).containsExactly("group sandplane-in", "group sandplane-public");
        assertThat(fw.ipfilter()).containsExactly(s.ip());
        assertThat(fixtures.events(id)).anySatisfy(e -> assertThat(e.step).isEqualTo(ProvisionStep.FIREWALLED));

        List<RecordedCall> calls = Sim.control().calls();
        assertThat(indexOf(calls, "PUT", ".*/firewall/options")).as("firewall before start")
                .isLessThan(indexOf(calls, "POST", ".*/status/start"));
        // The datacenter objects the rules name exist (made at start-up, or again after the reset).
        List<String> groups = names(Sim.control().api("GET", "/cluster/firewall/groups", null).data(), "group");
        assertThat(groups).contains("sandplane-in", "sandplane-open", "sandplane-public", "sandplane-listed");
        assertThat(names(Sim.control().api("GET", "/cluster/firewall/ipset/sandplane-routers", null).data(), "cidr"))
                .containsExactly("127.0.0.1");
    }

    @Test
    void anotherSandboxCannotConnectWhereTheRouterAndTheProvisionerCan() {
        SandboxState a = InternalApi.provision(fixtures.sandbox().insert());
        SandboxState b = InternalApi.provision(fixtures.sandbox().insert());

        assertThat(GuestProbe.answers("127.0.0.1", b.ip(), WORKER)).as("the url-router's address").isTrue();
        assertThat(GuestProbe.answers("127.0.0.1", b.ip(), EXECD)).as("the provisioner's address").isTrue();
        assertThat(GuestProbe.answers(a.ip(), b.ip(), WORKER)).as("sandbox A to B's worker").isFalse();
        assertThat(GuestProbe.answers(a.ip(), b.ip(), EXECD)).as("sandbox A to B's execd").isFalse();
    }

    @Test
    void theStoredPolicyIsWhatIsWrittenAndResumeWritesItAgainAndPinsTheNewLease() {
        String id = fixtures.sandbox().insert();
        fixtures.update(id, row -> row.setNetworkPolicy(LISTED));
        SandboxState s = InternalApi.provision(id);
        GuestFirewallView written = GuestFirewallView.of(s.node(), s.vmid());
        assertThat(written.rules()).containsExactly("group sandplane-in", "group sandplane-listed",
                "out ACCEPT 203.0.113.0/24");
        assertThat(written.options().path("policy_out").asText()).isEqualTo("REJECT");

        InternalApi.stop(s.id());
        // While it is stopped, someone opens it up and leaves an address it could spoof.
        GuestFirewallView.api("PUT", s.node(), s.vmid(), "/options", Map.of("enable", "0", "policy_in", "ACCEPT"));
        GuestFirewallView.api("POST", s.node(), s.vmid(), "/rules", Map.of("type", "in", "action", "ACCEPT", "enable", "1"));
        GuestFirewallView.api("POST", s.node(), s.vmid(), "/ipset/ipfilter-net0", Map.of("cidr", "127.9.9.9"));

        SandboxState resumed = InternalApi.resume(s.id());

        assertThat(resumed.status()).isEqualTo(SandboxStatus.RUNNING);
        GuestFirewallView again = GuestFirewallView.of(s.node(), s.vmid());
        assertThat(again.rules()).isEqualTo(written.rules());
        assertThat(again.options().path("enable").asInt()).isEqualTo(1);
        assertThat(again.options().path("policy_in").asText()).isEqualTo("REJECT");
        assertThat(again.ipfilter()).containsExactly(resumed.ip());
        assertThat(fixtures.row(s.id()).networkPolicy()).isEqualTo(LISTED);
    }

    @Test
    void aFirewallWriteFailingHalfWayLeavesNoGuestAndAFailedRow() {
        String id = fixtures.sandbox().insert();
        // Options go through, then every rule write fails (a permanent 400): the firewall is half written.
        Sim.control().addFault(Fault.error("POST", "/nodes/[^/]+/lxc/\\d+/firewall/rules", 400,
                "unable to write '/etc/pve/firewall/x.fw': Permission denied"));
        Sim.control().clearCalls();

        SandboxState s = InternalApi.provision(id);

        assertThat(s.status()).isEqualTo(SandboxStatus.FAILED);
        assertThat(s.error()).contains("Permission denied");
        assertThat(Sim.control().calls("PUT", ".*/firewall/options")).isNotEmpty();
        assertThat(Sim.control().calls("POST", ".*/status/start")).as("the guest never ran").isEmpty();
        assertThat(Sim.guestsOf(id)).isEmpty();
        assertThat(fixtures.heldVmids(id)).isEmpty();
        // Destroying the guest removed its half-written firewall file with it (PVE keys it by VMID only).
        Integer vmid = fixtures.row(id).vmid;
        assertThat(vmid).isNotNull();
        assertThat(Sim.control().api("GET", "/nodes/pve1/lxc/" + vmid + "/firewall/options", null).data().path("enable")
                .asInt()).isZero();
    }

    @Test
    void aResumeWhoseFirewallFailsLeavesTheGuestStoppedAndTheNextResumeWorks() {
        SandboxState s = InternalApi.provision(fixtures.sandbox().insert());
        InternalApi.stop(s.id());
        GuestFirewallView.api("POST", s.node(), s.vmid(), "/rules", Map.of("type", "in", "action", "ACCEPT", "enable", "1"));
        Sim.control().addFault(Fault.error("POST", "/nodes/[^/]+/lxc/\\d+/firewall/rules", 400, "Permission denied"));

        InternalApi.call("POST", "/internal/sandboxes/{id}/resume", s.id()).statusCode(502);

        assertThat(Sim.control().guest(s.vmid()).orElseThrow().running()).isFalse();
        assertThat(fixtures.row(s.id()).status).isEqualTo(SandboxStatus.STOPPED);
        Sim.control().clearFaults();
        assertThat(InternalApi.resume(s.id()).status()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(GuestFirewallView.of(s.node(), s.vmid()).rules()).containsExactly("group sandplane-in",
                "group sandplane-public");
    }

    @Test
    void recoveryAfterACrashBetweenTheGuestsCreationAndItsFirewallWritesItBeforeStarting() {
        String id = fixtures.sandbox().insert();
        int vmid = crashedAt(id, ProvisionStep.CONFIGURED);
        Sim.control().clearCalls();

        SandboxState state = InternalApi.recover(id);

        assertThat(state.status()).as(state.error()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(GuestFirewallView.of("pve1", vmid).rules()).containsExactly("group sandplane-in", "group sandplane-public");
        List<RecordedCall> calls = Sim.control().calls();
        assertThat(indexOf(calls, "POST", ".*/firewall/rules")).isLessThan(indexOf(calls, "POST", ".*/status/start"));
        assertThat(isolated(id)).isTrue();
    }

    @Test
    void recoveryBetweenFirewalledAndStartedCompletesAHalfWrittenFirewall() {
        String id = fixtures.sandbox().insert();
        int vmid = crashedAt(id, ProvisionStep.FIREWALLED);
        // The crash cut the write short: options written, no rules yet.
        GuestFirewallView.api("PUT", "pve1", vmid, "/options", Map.of("enable", "1", "policy_in", "REJECT"));

        SandboxState state = InternalApi.recover(id);

        assertThat(state.status()).as(state.error()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(GuestFirewallView.of("pve1", vmid).rules()).containsExactly("group sandplane-in", "group sandplane-public");
        assertThat(isolated(id)).isTrue();
    }

    @Test
    void withTheDatacenterFirewallOffStartsAreRefusedUpFrontAndReadinessSaysWhy() {
        Sim.control().api("PUT", "/cluster/firewall/options", Map.of("enable", "0"));
        String id = fixtures.sandbox().insert();
        try {
            InternalApi.call("POST", "/internal/sandboxes/{id}/provision", id).statusCode(503)
                    .contentType("application/problem+json");

            assertThat(fixtures.row(id).status).isEqualTo(SandboxStatus.FAILED);
            assertThat(fixtures.row(id).error).contains("datacenter firewall is off");
            assertThat(Sim.guestsOf(id)).isEmpty();
            assertThat(fixtures.heldVmids(id)).isEmpty();
            ProviderHealth health = InternalApi.request().get("/internal/provider/health").then().statusCode(200)
                    .extract().as(ProviderHealth.class);
            assertThat(health.firewall().datacenterEnabled()).isFalse();
            assertThat(health.firewall().problem()).contains("datacenter firewall is off");
            assertThat(health.healthy()).isFalse();
            given().get(readiness).then().statusCode(503);
        } finally {
            Sim.control().api("PUT", "/cluster/firewall/options", Map.of("enable", "1"));
        }
        given().get(readiness).then().statusCode(200);
        assertThat(InternalApi.provision(fixtures.sandbox().insert()).status()).isEqualTo(SandboxStatus.RUNNING);
    }

    private boolean isolated(String id) {
        return InternalApi.call("GET", "/internal/sandboxes/{id}/isolation", id).statusCode(200).extract()
                .jsonPath().getBoolean("isolated");
    }

    /**
     * A start whose provisioner died after recording {@code step}: the guest cloned and configured as the provisioner
     * would have (net0 behind the firewall, tags, description) but not started.
     */
    private int crashedAt(String id, ProvisionStep step) {
        int vmid = 900_000 + ThreadLocalRandom.current().nextInt(90_000);
        fixtures.holdVmid(CLUSTER, vmid, id);
        fixtures.update(id, row -> {
            row.vmid = vmid;
            row.node = "pve1";
            row.templateNode = "pve1";
            row.templateVmid = 9001;
            row.hostname = "cmux-" + vmid;
            row.step = step;
        });
        var clone = Sim.control().api("POST", "/nodes/pve1/lxc/9001/clone", Map.of("newid", String.valueOf(vmid),
                "hostname", "cmux-" + vmid, "description", "Sandplane sandbox " + id, "full", "0"));
        Sim.control().awaitTask("pve1", clone.data().asText(), java.time.Duration.ofSeconds(30));
        String net0 = String.valueOf(Sim.control().guest(vmid).orElseThrow().config().get("net0"));
        var config = Sim.control().api("PUT", "/nodes/pve1/lxc/" + vmid + "/config", Map.of("net0", net0 + ",firewall=1"));
        assertThat(config.status()).as(String.valueOf(config.body())).isEqualTo(200);
        return vmid;
    }

    private static int indexOf(List<RecordedCall> calls, String method, String path) {
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).method().equals(method) && calls.get(i).path().matches(path)) {
                return i;
            }
        }
        throw new AssertionError("no " + method + " " + path + " among " + calls.size() + " calls");
    }

    private static List<String> names(com.fasterxml.jackson.databind.JsonNode list, String field) {
        List<String> out = new java.util.ArrayList<>();
        list.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }
}
