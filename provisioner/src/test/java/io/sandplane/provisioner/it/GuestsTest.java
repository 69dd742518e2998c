package io.sandplane.provisioner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.simulator.Fault;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.api.GuestInventory;
import io.sandplane.model.api.ProviderHealth;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.provisioner.support.Fixtures;
import io.sandplane.provisioner.support.InternalApi;
import io.sandplane.provisioner.support.Sim;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the reaper uses: managed guests per node, orphan removal, provider health. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class GuestsTest {

    @Inject
    Fixtures fixtures;

    @BeforeEach
    void freshSimulator() {
        Sim.fresh();
    }

    @Test
    void listsTaggedGuestsNodeByNodeWithOneCallPerNode() {
        SandboxState s = InternalApi.provision(fixtures.sandbox().insert());
        Sim.control().createGuest("pve3", 990_001, "lxc", Map.of("hostname", "by-hand"), false);
        Sim.control().clearCalls();

        GuestInventory inventory = InternalApi.guests();

        assertThat(inventory.nodes()).extracting(GuestInventory.NodeGuests::node).containsExactlyInAnyOrder("pve1", "pve2", "pve3");
        assertThat(inventory.nodes()).allSatisfy(n -> assertThat(n.listed()).isTrue());
        List<GuestInventory.ManagedGuest> all = inventory.nodes().stream().flatMap(n -> n.guests().stream()).toList();
        assertThat(all).singleElement().satisfies(g -> {
            assertThat(g.vmid()).isEqualTo(s.vmid());
            assertThat(g.node()).isEqualTo(s.node());
            assertThat(g.status()).isEqualTo("running");
            assertThat(g.tags()).contains(s.id()).contains("sandplane");
        });
        assertThat(Sim.control().calls("GET", "/nodes/[^/]+/lxc")).hasSize(3);
    }

    @Test
    void aNodeThatCannotBeListedSaysSoInsteadOfLookingEmpty() {
        Sim.control().addFault(Fault.error("GET", "/nodes/pve3/lxc", 500, "node pve3 is busy"));
        GuestInventory inventory = InternalApi.guests();
        assertThat(inventory.nodes()).filteredOn(n -> n.node().equals("pve3")).singleElement().satisfies(n -> {
            assertThat(n.listed()).isFalse();
            assertThat(n.error()).contains("node pve3 is busy");
        });
        assertThat(inventory.nodes()).filteredOn(n -> !n.node().equals("pve3")).allSatisfy(n -> assertThat(n.listed()).isTrue());
    }

    @Test
    void deletesATaggedOrphanAndSucceedsWhenItIsAlreadyGone() {
        String tags = "sandplane;" + SandboxIds.newId() + ";team-ghost";
        Sim.control().createGuest("pve2", 990_002, "lxc", Map.of("hostname", "orphan", "tags", tags), true);
        InternalApi.call("DELETE", "/internal/guests/{node}/{vmid}", "pve2", 990_002).statusCode(204);
        assertThat(Sim.control().guest(990_002)).isEmpty();
        InternalApi.call("DELETE", "/internal/guests/{node}/{vmid}", "pve2", 990_002).statusCode(204);
    }

    @Test
    void refusesGuestsThatAreNotSandplanesOrBelongToALiveSandbox() {
        Sim.control().createGuest("pve2", 990_003, "lxc", Map.of("hostname", "precious"), false);
        InternalApi.call("DELETE", "/internal/guests/{node}/{vmid}", "pve2", 990_003).statusCode(409)
                .body("detail", containsString("not tagged 'sandplane'"));
        InternalApi.call("DELETE", "/internal/guests/{node}/{vmid}", "pve1", 9001).statusCode(409)
                .body("detail", containsString("template"));
        SandboxState s = InternalApi.provision(fixtures.sandbox().insert());
        InternalApi.call("DELETE", "/internal/guests/{node}/{vmid}", s.node(), s.vmid()).statusCode(409)
                .body("detail", containsString(s.id()));
        assertThat(Sim.control().guest(990_003)).isPresent();
        assertThat(Sim.control().guest(s.vmid())).isPresent();
    }

    @Test
    void healthReportsReachabilityLatencyAndTemplates() {
        ProviderHealth health = InternalApi.request().get("/internal/provider/health").then().statusCode(200)
                .extract().as(ProviderHealth.class);
        assertThat(health.reachable()).isTrue();
        assertThat(health.healthy()).isTrue();
        assertThat(health.templatesExpected()).isEqualTo(6);
        assertThat(health.templatesPresent()).isEqualTo(6);
        assertThat(health.missingTemplates()).isEmpty();

        Sim.control().removeGuest(9004);
        ProviderHealth missing = InternalApi.request().get("/internal/provider/health").then().statusCode(200)
                .extract().as(ProviderHealth.class);
        assertThat(missing.templatesPresent()).isEqualTo(5);
        assertThat(missing.missingTemplates()).containsExactly("pve2/9004");
    }

    @Test
    void healthSaysWhenPveIsUnreachable() {
        Sim.control().addFault(Fault.error("GET", "/version", 596, "Connection timed out"));
        ProviderHealth health = InternalApi.request().get("/internal/provider/health").then().statusCode(200)
                .extract().as(ProviderHealth.class);
        assertThat(health.reachable()).isFalse();
        assertThat(health.healthy()).isFalse();
        assertThat(health.error()).contains("596").contains("Connection timed out");
    }
}
