package io.sandplane.provisioner.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.simulator.Fault;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.provisioner.support.Fixtures;
import io.sandplane.provisioner.support.InternalApi;
import io.sandplane.provisioner.support.Sim;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A fault at each step of a start: the sandbox ends FAILED with the cause, and nothing is left —
 * no guest on PVE, no VMID held.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class StartFaultsTest {

    /** The standard preset's copies: a fault staged on templates applies to all of them. */
    private static final int[] STANDARD_COPIES = { 9001, 9002, 9003, 9004 };

    @Inject
    Fixtures fixtures;

    @BeforeEach
    void freshSimulator() {
        Sim.fresh();
    }

    record FaultCase(String name, Runnable inject, String cause) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<FaultCase> faults() {
        return Stream.of(
                new FaultCase("clone answers 500", () -> Sim.control().addFault(Fault.error("POST",
                        "/nodes/[^/]+/lxc/\\d+/clone", 500, "clone failed: unable to allocate volume")),
                        "clone failed: unable to allocate volume"),
                new FaultCase("config lock times out", () -> Sim.control().addFault(Fault.lockTimeout("PUT",
                        "/nodes/[^/]+/lxc/\\d+/config")), "got timeout"),
                new FaultCase("start task fails", () -> Sim.control().addFault(Fault.taskFailure("POST",
                        "/nodes/[^/]+/lxc/\\d+/status/start", "startup for container failed: exit code 1")),
                        "startup for container failed: exit code 1"),
                new FaultCase("596 while polling a task", () -> Sim.control().addFault(Fault.error("GET",
                        "/nodes/[^/]+/tasks/[^/]+/status", 596, "Connection timed out")), "596"),
                new FaultCase("no IPv4 address", StartFaultsTest::templatesWithoutNetwork, "no IPv4 address"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void aFaultAtAnyStepLeavesNothingBehind(FaultCase fault) {
        String id = fixtures.sandbox().insert();
        fault.inject().run();

        SandboxState state = InternalApi.provision(id);

        assertThat(state.status()).isEqualTo(SandboxStatus.FAILED);
        assertThat(state.error()).contains(fault.cause());
        assertThat(fixtures.row(id).error).contains(fault.cause());
        assertThat(fixtures.events(id)).anySatisfy(e -> {
            assertThat(e.type).isEqualTo(SandboxEvent.Type.STATUS);
            assertThat(e.toStatus).isEqualTo(SandboxStatus.FAILED);
        }).anySatisfy(e -> {
            assertThat(e.type).isEqualTo(SandboxEvent.Type.ERROR);
            assertThat(e.detail).contains(fault.cause());
        });
        Sim.control().clearFaults();
        assertThat(Sim.control().guests()).as("guests left on PVE").allMatch(g -> g.template());
        assertThat(fixtures.heldVmids(id)).as("VMIDs still held").isEmpty();
        assertThat(fixtures.services(id)).isEmpty();
    }

    /** A template without a network interface: its clones start but never get an address. */
    private static void templatesWithoutNetwork() {
        for (int vmid : STANDARD_COPIES) {
            String node = vmid <= 9002 ? "pve1" : "pve2";
            var answer = Sim.control().api("PUT", "/nodes/" + node + "/lxc/" + vmid + "/config", Map.of("delete", "net0"));
            assertThat(answer.status()).as("removing net0 of template " + vmid).isEqualTo(200);
        }
    }
}
