package io.sandplane.provisioner.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.simulator.RecordedCall;
import io.sandplane.devsupport.simulator.SimGuest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.entity.SandboxService;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.service.AuthMode;
import io.sandplane.provisioner.support.Fixtures;
import io.sandplane.provisioner.support.InternalApi;
import io.sandplane.provisioner.support.Sim;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A start from clone to ready against the simulator, and what it leaves in the database and on PVE. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class ProvisionTest {

    /** Prometheus metrics, on the management interface. */
    @TestHTTPResource(value = "metrics", management = true)
    URI metricsUrl;

    @Inject
    Fixtures fixtures;

    @BeforeEach
    void freshSimulator() {
        Sim.fresh();
    }

    @Test
    void aStartEndsRunningWithItsGuestConfiguredTaggedAndAnswering() {
        fixtures.team("acme");
        String id = fixtures.sandbox().team("acme").insert();

        SandboxState state = InternalApi.provision(id);

        assertThat(state.status()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(state.step()).isEqualTo(ProvisionStep.EXECD_HEALTHY);
        assertThat(state.error()).isNull();
        assertThat(state.vmid()).isBetween(200, 999_999);
        assertThat(state.node()).isIn("pve1", "pve2");
        assertThat(state.ip()).isNotBlank();
        assertThat(state.fqdn()).isEqualTo("cmux-" + state.vmid() + ".sandplane.test");

        SimGuest guest = Sim.control().guest(state.vmid()).orElseThrow();
        assertThat(guest.running()).isTrue();
        assertThat(guest.node()).isEqualTo(state.node());
        assertThat(guest.address()).isEqualTo(state.ip());
        assertThat(guest.tags()).isEqualTo("sandplane;" + id + ";team-acme");
        assertThat(guest.config().get("hostname")).isEqualTo("cmux-" + state.vmid());
        assertThat(guest.config().get("description")).contains(id).contains("acme").contains("created");

        Sandbox row = fixtures.row(id);
        assertThat(row.hostname).isEqualTo("cmux-" + state.vmid());
        assertThat(row.templateNode).isEqualTo(state.node());
        assertThat(row.templateVmid).isBetween(9001, 9004);
        assertThat(row.presetId).isEqualTo("4vcpu_8gb_32gb");
        assertThat(row.templateVersion).isEqualTo(1);
        assertThat(fixtures.heldVmids(id)).containsExactly(state.vmid());

        assertThat(fixtures.events(id)).filteredOn(e -> e.type == SandboxEvent.Type.STEP).extracting(e -> e.step)
                .containsExactly(ProvisionStep.values());
        assertThat(fixtures.events(id)).filteredOn(e -> e.type == SandboxEvent.Type.STATUS)
                .singleElement().satisfies(e -> {
                    assertThat(e.fromStatus).isEqualTo(SandboxStatus.PROVISIONING);
                    assertThat(e.toStatus).isEqualTo(SandboxStatus.RUNNING);
                    assertThat(e.actor).isEqualTo("provisioner");
                });

        List<SandboxService> services = fixtures.services(id);
        assertThat(services).extracting(s -> s.name).containsExactlyInAnyOrder("vscode", "worker", "vnc", "xterm");
        assertThat(services).allSatisfy(s -> {
            assertThat(s.authMode).isEqualTo(AuthMode.TOKEN);
            assertThat(s.url).isEqualTo("http://port-" + s.port + "-vm-" + state.vmid() + ".sandplane.localhost:8088");
        });
    }

    @Test
    void startsArePublishedAsMetrics() {
        InternalApi.provision(fixtures.sandbox().insert());
        String metrics = io.restassured.RestAssured.get(metricsUrl).then().statusCode(200).extract().asString();
        assertThat(metrics)
                .contains("sandplane_provision_duration_seconds_count{outcome=\"running\",provider=\"pve-lxc\"}")
                .contains("sandplane_provision_step_seconds_bucket{step=\"CLONED\"")
                .contains("sandplane_pve_call_seconds_count{operation=\"clone\",outcome=\"ok\"}");
    }

    @Test
    void provisioningTwiceNeverMakesASecondGuest() {
        String id = fixtures.sandbox().insert();
        SandboxState first = InternalApi.provision(id);
        SandboxState again = InternalApi.provision(id);
        assertThat(again).isEqualTo(first);
        assertThat(clonesTo(first.vmid())).hasSize(1);
        assertThat(Sim.guestsOf(id)).hasSize(1);
    }

    @Test
    void concurrentProvisionCallsWaitForOneStartAndShareItsResult() {
        String id = fixtures.sandbox().insert();
        Sim.control().setLatencies(java.util.Map.of("clone", 300L));
        List<CompletableFuture<SandboxState>> calls = java.util.stream.IntStream.range(0, 4)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> InternalApi.provision(id))).toList();
        List<SandboxState> results = calls.stream().map(CompletableFuture::join).toList();
        assertThat(results).allSatisfy(s -> assertThat(s.status()).isEqualTo(SandboxStatus.RUNNING));
        assertThat(results).extracting(SandboxState::vmid).containsOnly(results.getFirst().vmid());
        assertThat(Sim.control().calls("POST", ".*/clone")).hasSize(1);
        assertThat(Sim.guestsOf(id)).hasSize(1);
        assertThat(fixtures.heldVmids(id)).containsExactly(results.getFirst().vmid());
    }

    @Test
    void theDefaultPresetCanBeAskedForByItsUnifiedAndLegacyIds() {
        String unified = fixtures.sandbox().snapshot("pvelxc_6vcpu_8gb_40gb_v1").insert();
        String legacy = fixtures.sandbox().snapshot("pve_4vcpu_8gb_32gb_9002").insert();
        SandboxState a = InternalApi.provision(unified);
        SandboxState b = InternalApi.provision(legacy);
        assertThat(a.status()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(fixtures.row(unified).templateVmid).isIn(9011, 9012);
        assertThat(b.status()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(fixtures.row(legacy).templateVmid).isBetween(9001, 9004);
    }

    private static List<RecordedCall> clonesTo(int vmid) {
        return Sim.control().calls("POST", ".*/clone").stream()
                .filter(c -> String.valueOf(vmid).equals(c.params().get("newid"))).toList();
    }
}
