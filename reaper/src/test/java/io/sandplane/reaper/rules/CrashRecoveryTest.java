package io.sandplane.reaper.rules;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.ProjectLayout;
import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.provisioner.SharedProvisioner;
import io.sandplane.devsupport.provisioner.SharedProvisionerResource;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.VmidAllocation;
import io.sandplane.model.internal.InternalToken;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.reaper.decision.ReapPolicy;
import io.sandplane.reaper.testing.Fixtures;
import io.sandplane.reaper.testing.World;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A provisioner killed in the middle of a start (SIGKILL, no clean-up) leaves a PROVISIONING row
 * behind; the reaper's stuck-provisioning rule has the (shared) provisioner finish or roll it back.
 * Either way nothing is left half-made: RUNNING with its one guest, or FAILED with no guest and no
 * VMID held.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = SharedProvisionerResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class CrashRecoveryTest {

    @Inject
    World world;

    @Inject
    Fixtures fixtures;

    /** The provisioner that will crash; the shared one recovers. */
    private ServiceProcess doomed;

    @BeforeEach
    void reset() {
        world.reset();
    }

    @AfterEach
    void stopDoomed() {
        if (doomed != null) {
            doomed.kill();
        }
        world.sim().reset();
    }

    @Test
    void aStartKilledDuringTheCloneIsRolledBackToFailedWithNothingLeftBehind() {
        world.sim().setLatencies(Map.of("clone", 3000L));
        // Killed while PVE is cloning: the clone finishes after the provisioner is gone.
        Sandbox s = startOnDoomedProvisionerAndKillAt(ProvisionStep.VMID_ALLOCATED,
                row -> row.vmid != null && world.guest(row.vmid).isPresent());
        await().atMost(Duration.ofSeconds(20)).until(() -> world.guest(s.vmid).map(g -> g.lock() == null).orElse(false));

        Sandbox after = recover(s);

        assertThat(after.status).isEqualTo(SandboxStatus.FAILED);
        assertThat(world.guest(s.vmid)).as("the clone is destroyed").isEmpty();
        assertThat(world.guestsTagged(s.id)).as("no guest left").isEmpty();
        assertThat(fixtures.allocations(s.id)).extracting(a -> a.state).doesNotContain(VmidAllocation.State.ALLOCATED);
        assertThat(fixtures.events(s.id)).anySatisfy(e -> assertThat(e.detail).startsWith("reaper stuck-provisioning: recover"));
    }

    @Test
    void aStartKilledAfterTheCloneIsFinishedToRunning() {
        world.sim().setLatencies(Map.of("start", 3000L));
        // Killed while the guest boots: configured, tagged, behind its firewall, its start task still running. (The last
        // step recorded before the start task: waiting for CONFIGURED would race the quick FIREWALLED after it.)
        Sandbox s = startOnDoomedProvisionerAndKillAt(ProvisionStep.FIREWALLED, row -> true);
        await().atMost(Duration.ofSeconds(20)).until(() -> world.guestsTagged(s.id).stream().noneMatch(g -> g.lock() != null));

        Sandbox after = recover(s);

        assertThat(after.status).isEqualTo(SandboxStatus.RUNNING);
        assertThat(world.guestsTagged(s.id)).as("exactly its guest").singleElement().satisfies(g -> {
            assertThat(g.vmid()).isEqualTo(after.vmid);
            assertThat(g.running()).isTrue();
        });
        assertThat(fixtures.allocations(s.id)).filteredOn(a -> a.state == VmidAllocation.State.ALLOCATED)
                .extracting(a -> a.vmid).containsExactly(after.vmid);
    }

    private Sandbox startOnDoomedProvisionerAndKillAt(ProvisionStep step, Predicate<Sandbox> andWhen) {
        doomed = ServiceProcess.of("provisioner").env(SharedProvisioner.env())
                .logFile(ProjectLayout.root().resolve("reaper/target/doomed-provisioner.log")).start();
        Sandbox row = fixtures.sandbox().status(SandboxStatus.PROVISIONING).step(null).on(null, null).withoutAllocation()
                .insert();
        String url = doomed.url();
        // The call dies with its provisioner; its outcome does not matter.
        CompletableFuture.runAsync(() -> given().baseUri(url).header(InternalToken.HEADER, SharedProvisioner.INTERNAL_TOKEN)
                .contentType("application/json").post("/internal/sandboxes/" + row.id + "/provision"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    Sandbox now = fixtures.reload(row.id);
                    return now.step == step && andWhen.test(now);
                });
        doomed.kill();
        Sandbox left = fixtures.reload(row.id);
        assertThat(left.status).as("the crash left the start half-way").isEqualTo(SandboxStatus.PROVISIONING);
        return left;
    }

    /** Passes with no deadline until the start is settled (a guest still locked by a task makes recovery wait). */
    private Sandbox recover(Sandbox s) {
        ReapPolicy now = world.policy().withProvisioningDeadline(Duration.ZERO);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            world.pass(now);
            return fixtures.reload(s.id).status != SandboxStatus.PROVISIONING;
        });
        return fixtures.reload(s.id);
    }
}
