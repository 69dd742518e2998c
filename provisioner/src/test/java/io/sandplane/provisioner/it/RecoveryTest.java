package io.sandplane.provisioner.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.provisioner.service.LockSession;
import io.sandplane.provisioner.service.OperationLocks;
import io.sandplane.provisioner.support.Fixtures;
import io.sandplane.provisioner.support.InternalApi;
import io.sandplane.provisioner.support.Sim;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A provisioner that crashed between two steps: the row's recorded step and the guest as PVE shows
 * it decide whether recover finishes the start or rolls it back. Crashes are staged by writing the
 * row and making the guest the way the dead provisioner would have left them.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class RecoveryTest {

    private static final String CLUSTER = "default";

    @Inject
    Fixtures fixtures;

    @Inject
    OperationLocks locks;

    @BeforeEach
    void freshSimulator() {
        Sim.fresh();
    }

    @Test
    void aCrashRightAfterTheVmidWasAllocatedIsRolledBack() {
        String id = fixtures.sandbox().insert();
        int vmid = spareVmid();
        fixtures.holdVmid(CLUSTER, vmid, id);
        fixtures.update(id, row -> {
            row.vmid = vmid;
            row.step = ProvisionStep.VMID_ALLOCATED;
        });

        SandboxState state = InternalApi.recover(id);

        assertThat(state.status()).isEqualTo(SandboxStatus.FAILED);
        assertThat(state.error()).contains("interrupted before the guest was cloned");
        assertThat(fixtures.heldVmids(id)).isEmpty();
    }

    @Test
    void aCrashAfterTheCloneIsFinished() {
        String id = fixtures.sandbox().insert();
        int vmid = crashedAfterClone(id);

        SandboxState state = InternalApi.recover(id);

        assertThat(state.status()).as(state.error()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(state.vmid()).isEqualTo(vmid);
        var guest = Sim.control().guest(vmid).orElseThrow();
        assertThat(guest.running()).isTrue();
        assertThat(guest.tags()).contains("sandplane").contains(id);
        assertThat(fixtures.services(id)).hasSize(4);
        assertThat(InternalApi.exec(id, "echo recovered", null).stdout()).isEqualTo("recovered\n");
    }

    @Test
    void provisionAfterACrashFinishesTheStartInsteadOfCloningAgain() {
        String id = fixtures.sandbox().insert();
        int vmid = crashedAfterClone(id);
        Sim.control().clearCalls();

        SandboxState state = InternalApi.provision(id);

        assertThat(state.status()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(state.vmid()).isEqualTo(vmid);
        assertThat(Sim.control().calls("POST", ".*/clone")).isEmpty();
        assertThat(Sim.guestsOf(id)).hasSize(1);
    }

    @Test
    void aCrashWhoseGuestVanishedIsRolledBack() {
        String id = fixtures.sandbox().insert();
        int vmid = spareVmid();
        fixtures.holdVmid(CLUSTER, vmid, id);
        fixtures.update(id, row -> {
            row.vmid = vmid;
            row.node = "pve1";
            row.step = ProvisionStep.CONFIGURED;
        });

        SandboxState state = InternalApi.recover(id);

        assertThat(state.status()).isEqualTo(SandboxStatus.FAILED);
        assertThat(state.error()).contains("guest is gone");
        assertThat(fixtures.heldVmids(id)).isEmpty();
    }

    @Test
    void aGuestStillBeingClonedIsLeftForLaterThenRolledBack() {
        String id = fixtures.sandbox().insert();
        Sim.control().setLatencies(Map.of("clone", 1500L));
        int vmid = spareVmid();
        String upid = startClone(id, vmid);

        SandboxState meanwhile = InternalApi.recover(id);
        assertThat(meanwhile.status()).isEqualTo(SandboxStatus.PROVISIONING);
        assertThat(Sim.control().guest(vmid)).isPresent();

        Sim.control().awaitTask("pve1", upid, Duration.ofSeconds(30));
        // The clone finished, but the dead provisioner never recorded it: the start is rolled back.
        SandboxState after = InternalApi.recover(id);
        assertThat(after.status()).isEqualTo(SandboxStatus.FAILED);
        assertThat(Sim.control().guest(vmid)).isEmpty();
        assertThat(fixtures.heldVmids(id)).isEmpty();
    }

    @Test
    void anInterruptedDeleteIsFinished() {
        SandboxState s = InternalApi.provision(fixtures.sandbox().insert());
        fixtures.update(s.id(), row -> row.status = SandboxStatus.DELETING);

        SandboxState state = InternalApi.recover(s.id());

        assertThat(state.status()).isEqualTo(SandboxStatus.DELETED);
        assertThat(Sim.control().guest(s.vmid())).isEmpty();
        assertThat(fixtures.heldVmids(s.id())).isEmpty();
    }

    @Test
    void aSandboxWhoseOperationIsStillRunningIsLeftAlone() {
        String id = fixtures.sandbox().insert();
        int vmid = crashedAfterClone(id);
        try (LockSession busy = locks.lockSandbox(id, Duration.ofSeconds(5))) {
            SandboxState state = InternalApi.recover(id);
            assertThat(state.status()).isEqualTo(SandboxStatus.PROVISIONING);
            assertThat(state.step()).isEqualTo(ProvisionStep.CLONED);
        }
        assertThat(Sim.control().guest(vmid).orElseThrow().running()).isFalse();
    }

    @Test
    void settledSandboxesAreNotTouched() {
        SandboxState s = InternalApi.provision(fixtures.sandbox().insert());
        Sim.control().clearCalls();
        assertThat(InternalApi.recover(s.id())).isEqualTo(s);
        assertThat(Sim.control().calls()).isEmpty();
    }

    /** A row at CLONED with the guest cloned by PVE as the provisioner's clone call would have made it. */
    private int crashedAfterClone(String id) {
        int vmid = spareVmid();
        Sim.control().awaitTask("pve1", startClone(id, vmid), Duration.ofSeconds(30));
        fixtures.update(id, row -> {
            row.step = ProvisionStep.CLONED;
            row.hostname = "cmux-" + vmid;
        });
        return vmid;
    }

    /** What the provisioner does up to the clone call: VMID held, node recorded, clone sent. */
    private String startClone(String id, int vmid) {
        fixtures.holdVmid(CLUSTER, vmid, id);
        fixtures.update(id, row -> {
            row.vmid = vmid;
            row.node = "pve1";
            row.templateNode = "pve1";
            row.templateVmid = 9001;
            row.step = ProvisionStep.VMID_ALLOCATED;
        });
        var answer = Sim.control().api("POST", "/nodes/pve1/lxc/9001/clone", Map.of("newid", String.valueOf(vmid),
                "hostname", "cmux-" + vmid, "description", "Sandplane sandbox " + id + " (provisioning)", "full", "0"));
        assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(200);
        return answer.data().asText();
    }

    /** A VMID far above where the allocator is, so no start of another test takes it. */
    private static int spareVmid() {
        return 900_000 + ThreadLocalRandom.current().nextInt(90_000);
    }
}
