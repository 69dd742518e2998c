package io.sandplane.provisioner.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.simulator.Fault;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.provisioner.support.Fixtures;
import io.sandplane.provisioner.support.InternalApi;
import io.sandplane.provisioner.support.Sim;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Guests created behind Sandplane's back never break a start, and are never touched. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class ExternalGuestTest {

    @Inject
    Fixtures fixtures;

    @BeforeEach
    void freshSimulator() {
        Sim.fresh();
    }

    @Test
    void aVmidTakenOutsideSandplaneIsSkipped() {
        int next = fixtures.vmidCursor("default");
        Sim.control().createGuest("pve1", next, "lxc", Map.of("hostname", "handmade"), true);
        String id = fixtures.sandbox().insert();

        SandboxState state = InternalApi.provision(id);

        assertThat(state.status()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(state.vmid()).isGreaterThan(next);
        assertThat(Sim.control().guest(next)).hasValueSatisfying(g -> {
            assertThat(g.name()).isEqualTo("handmade");
            assertThat(g.running()).isTrue();
        });
        assertThat(fixtures.heldVmids(id)).containsExactly(state.vmid());
    }

    @Test
    void aVmidTakenBetweenTheCheckAndTheCloneIsReplaced() {
        String id = fixtures.sandbox().insert();
        // PVE answers the first clone as it does when someone created the guest a moment earlier.
        Sim.control().addFault(Fault.error("POST", "/nodes/[^/]+/lxc/\\d+/clone", 500,
                "unable to create CT - CT already exists on node 'pve1'").times(1));

        SandboxState state = InternalApi.provision(id);

        assertThat(state.status()).as(state.error()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(fixtures.events(id)).filteredOn(e -> e.step == ProvisionStep.VMID_ALLOCATED).hasSize(2)
                .last().satisfies(e -> assertThat(e.detail).contains("was taken outside Sandplane"));
        assertThat(fixtures.heldVmids(id)).containsExactly(state.vmid());
        assertThat(Sim.guestsOf(id)).hasSize(1);
    }
}
