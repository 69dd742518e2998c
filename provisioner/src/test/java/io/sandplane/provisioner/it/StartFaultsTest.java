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
import io.sandplane.provisioner.provider.pve.PveNodes;
import io.sandplane.provisioner.support.Fixtures;
import io.sandplane.provisioner.support.InternalApi;
import io.sandplane.provisioner.support.Sim;
import io.sandplane.model.entity.Sandbox;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A fault at each step of a start (clone 500, config lock timeout, start task failure, 596 while
 * polling a task, no IPv4 address, execd down): the sandbox ends FAILED with the cause, and nothing
 * is left — no guest on PVE, no VMID held.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class StartFaultsTest {

    /** The standard preset's copies: a fault staged on templates applies to all of them. */
    private static final int[] STANDARD_COPIES = { 9001, 9002, 9003, 9004 };

    @Inject
    Fixtures fixtures;

    @Inject
    PveNodes nodes;

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

    /**
     * execd down: the guest reports an address but nothing answers on the execd port. The simulator's
     * guests always run execd, so the test takes the guest's services away in the one gap between
     * PVE reporting the address and the first execd probe: the provisioner then asks the node for its
     * DNS search domain (the FQDN), and that answer is delayed (caches emptied first). Once the
     * address has been read, the test stops the guest behind the provisioner's back; the probe then
     * meets an address that refuses connections.
     */
    @Test
    void execdThatNeverAnswersFailsTheStartAndLeavesNothing() throws Exception {
        String id = fixtures.sandbox().insert();
        nodes.invalidate();
        Sim.control().addFault(Fault.delay("GET", "/nodes/[^/]+/dns", 1500));
        CompletableFuture<SandboxState> start = CompletableFuture.supplyAsync(() -> InternalApi.provision(id));

        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                .until(() -> !Sim.control().calls("GET", "/nodes/[^/]+/lxc/\\d+/interfaces").isEmpty());
        Sandbox row = fixtures.row(id);
        var stop = Sim.control().api("POST", "/nodes/" + row.node + "/lxc/" + row.vmid + "/status/stop", Map.of());
        Sim.control().awaitTask(row.node, stop.data().asText(), Duration.ofSeconds(30));
        Sim.control().clearFaults();

        SandboxState state = start.get(60, TimeUnit.SECONDS);
        assertThat(state.status()).isEqualTo(SandboxStatus.FAILED);
        assertThat(state.error()).contains("did not answer /healthz");
        assertThat(Sim.control().guests()).as("guests left on PVE").allMatch(g -> g.template());
        assertThat(fixtures.heldVmids(id)).as("VMIDs still held").isEmpty();
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
