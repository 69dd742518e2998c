package io.sandplane.provisioner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.simulator.Fault;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.provisioner.client.PveClient;
import io.sandplane.provisioner.client.PvePermanentException;
import io.sandplane.provisioner.support.Fixtures;
import io.sandplane.provisioner.support.InternalApi;
import io.sandplane.provisioner.support.Sim;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PVE before 8.4 puts its error message only in the HTTP reason phrase; the client reads it there. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class OlderPveTest {

    @Inject
    Fixtures fixtures;

    @Inject
    PveClient pve;

    @BeforeEach
    void olderPve() {
        Sim.fresh();
        Sim.control().errorStyle("legacy");
    }

    @AfterEach
    void modernPve() {
        Sim.control().errorStyle("modern");
    }

    @Test
    void errorsAreReadFromTheReasonPhrase() {
        assertThat(pve.config("pve1", 999_999)).isEmpty();
        assertThat(pve.isVmidFree(9001)).isFalse();
        assertThatThrownBy(() -> pve.updateConfig("pve1", 999_998, Map.of("hostname", "x")))
                .isInstanceOf(PvePermanentException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void aFailedStartShowsPvesMessage() {
        Sim.control().addFault(Fault.error("POST", "/nodes/[^/]+/lxc/\\d+/clone", 500,
                "clone failed: volume local-lvm:base-9001-disk-0 is busy"));
        String id = fixtures.sandbox().insert();
        SandboxState state = InternalApi.provision(id);
        assertThat(state.status()).isEqualTo(SandboxStatus.FAILED);
        assertThat(state.error()).contains("clone failed: volume local-lvm:base-9001-disk-0 is busy");
        assertThat(Sim.control().guests()).allMatch(g -> g.template());
    }

    @Test
    void theWholeLifecycleWorks() {
        SandboxState s = InternalApi.provision(fixtures.sandbox().insert());
        assertThat(s.status()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(InternalApi.stop(s.id()).status()).isEqualTo(SandboxStatus.STOPPED);
        assertThat(InternalApi.delete(s.id()).status()).isEqualTo(SandboxStatus.DELETED);
        assertThat(Sim.control().guest(s.vmid())).isEmpty();
    }
}
