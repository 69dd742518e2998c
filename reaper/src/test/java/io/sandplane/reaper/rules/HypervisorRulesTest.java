package io.sandplane.reaper.rules;

import static io.restassured.RestAssured.given;
import static io.sandplane.reaper.testing.World.action;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.provisioner.SharedProvisionerResource;
import io.sandplane.devsupport.simulator.Fault;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.api.ReaperPassReport;
import io.sandplane.model.api.ReaperPassReport.ActionOutcome;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.entity.VmidAllocation;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.reaper.testing.Fixtures;
import io.sandplane.reaper.testing.World;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules that compare the database with the hypervisor, end to end, and the safety around them:
 * the grace period, untagged guests, a failed list call, the cap and dry-run.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = SharedProvisionerResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class HypervisorRulesTest {

    /** Prometheus metrics, on the management interface. */
    @TestHTTPResource(value = "metrics", management = true)
    URI metricsUrl;

    private static final Duration PAST_GRACE = Duration.ofMinutes(11);

    @Inject
    World world;

    @Inject
    Fixtures fixtures;

    @BeforeEach
    void reset() {
        world.reset();
    }

    @Test
    void anOrphanIsDeletedOnlyAfterTheGracePeriodAndUntaggedGuestsNever() {
        String missing = SandboxIds.newId();
        int orphan = Fixtures.freshVmid();
        int untagged = Fixtures.freshVmid();
        int namedLikeOurs = Fixtures.freshVmid();
        world.handMadeGuest("pve2", orphan, "sandplane;" + missing);
        world.handMadeGuest("pve2", untagged, "");
        world.handMadeGuest("pve2", namedLikeOurs, missing + ";team-acme");

        ReaperPassReport first = world.pass();
        assertThat(action(first, "guest:pve2/" + orphan)).isEmpty();
        assertThat(world.guest(orphan)).as("within the grace period").isPresent();
        Instant firstSeen = fixtures.firstSeen("pve2", orphan);
        assertThat(firstSeen).isNotNull();
        assertThat(first.held()).anySatisfy(h -> {
            assertThat(h.rule()).isEqualTo("orphan");
            assertThat(h.examples()).anyMatch(e -> e.contains("guest:pve2/" + orphan) && e.contains("within the grace period"));
        });

        // Nine minutes later it is still waiting; the sighting is not renewed by each pass.
        fixtures.sighting("pve2", orphan, missing, Fixtures.now().minus(Duration.ofMinutes(9)));
        world.pass();
        assertThat(world.guest(orphan)).isPresent();

        fixtures.sighting("pve2", orphan, missing, Fixtures.now().minus(PAST_GRACE));
        ReaperPassReport late = world.pass();
        assertThat(action(late, "guest:pve2/" + orphan)).hasValueSatisfying(a -> {
            assertThat(a.rule()).isEqualTo("orphan");
            assertThat(a.outcome()).isEqualTo(ActionOutcome.DONE);
            assertThat(a.reason()).contains("sandbox " + missing + " has no row");
        });
        assertThat(world.guest(orphan)).isEmpty();
        assertThat(fixtures.firstSeen("pve2", orphan)).as("sighting forgotten").isNull();

        // Guests without the sandplane tag are never even considered, however old.
        assertThat(world.guest(untagged)).isPresent();
        assertThat(world.guest(namedLikeOurs)).isPresent();
        assertThat(fixtures.firstSeen("pve2", untagged)).isNull();
        assertThat(fixtures.firstSeen("pve2", namedLikeOurs)).isNull();
    }

    @Test
    void theGuestOfADeletedOrFailedSandboxIsAnOrphanAndItsHistorySaysSo() {
        Sandbox deleted = fixtures.sandbox().status(SandboxStatus.DELETED).on("pve1", Fixtures.freshVmid()).insert();
        Sandbox failed = fixtures.sandbox().status(SandboxStatus.FAILED).on("pve3", Fixtures.freshVmid()).insert();
        world.handMadeGuest("pve1", deleted.vmid, "sandplane;" + deleted.id);
        world.handMadeGuest("pve3", failed.vmid, "sandplane;" + failed.id);
        fixtures.sighting("pve1", deleted.vmid, deleted.id, Fixtures.now().minus(PAST_GRACE));
        fixtures.sighting("pve3", failed.vmid, failed.id, Fixtures.now().minus(PAST_GRACE));

        world.pass();

        assertThat(world.guest(deleted.vmid)).isEmpty();
        assertThat(world.guest(failed.vmid)).isEmpty();
        assertThat(fixtures.events(deleted.id)).anySatisfy(e -> assertThat(e.detail)
                .startsWith("reaper orphan: delete guest pve1/" + deleted.vmid).contains("is DELETED"));
        assertThat(fixtures.events(failed.id)).anySatisfy(e -> assertThat(e.detail).contains("is FAILED"));
    }

    @Test
    void aSandboxWhoseGuestVanishedBecomesLostAndReleasesItsVmid() {
        Sandbox s = world.running();
        Sandbox healthy = world.running();
        world.sim().removeGuest(s.vmid);

        ReaperPassReport report = world.pass();

        assertThat(action(report, "sandbox:" + s.id)).hasValueSatisfying(a -> {
            assertThat(a.rule()).isEqualTo("lost");
            assertThat(a.outcome()).isEqualTo(ActionOutcome.DONE);
        });
        Sandbox after = fixtures.reload(s.id);
        assertThat(after.status).isEqualTo(SandboxStatus.LOST);
        assertThat(fixtures.allocations(s.id)).extracting(a -> a.state).containsOnly(VmidAllocation.State.RELEASED);
        assertThat(fixtures.events(s.id)).anySatisfy(e -> {
            assertThat(e.type).isEqualTo(SandboxEvent.Type.STATUS);
            assertThat(e.toStatus).isEqualTo(SandboxStatus.LOST);
        });
        assertThat(fixtures.reload(healthy.id).status).isEqualTo(SandboxStatus.RUNNING);
    }

    @Test
    void aVmidHeldForNothingIsReleased() {
        Sandbox deleted = fixtures.sandbox().status(SandboxStatus.DELETED).statusChangedAgo(Duration.ofHours(1)).insert();
        Sandbox fresh = fixtures.sandbox().status(SandboxStatus.DELETED).insert();

        world.pass();

        assertThat(fixtures.allocations(deleted.id)).extracting(a -> a.state).containsOnly(VmidAllocation.State.RELEASED);
        assertThat(fixtures.allocations(fresh.id)).as("younger than the grace period")
                .extracting(a -> a.state).containsOnly(VmidAllocation.State.ALLOCATED);
    }

    @Test
    void aNodeWhoseListCallFailsLosesNothingAndIsReconciledOnceItAnswers() {
        Sandbox vanished = world.running();
        world.sim().removeGuest(vanished.vmid);
        String node = vanished.node;
        int orphan = Fixtures.freshVmid();
        String missing = SandboxIds.newId();
        world.handMadeGuest(node, orphan, "sandplane;" + missing);
        fixtures.sighting(node, orphan, missing, Fixtures.now().minus(PAST_GRACE));
        Fault failing = world.sim().addFault(Fault.error("GET", "/nodes/" + node + "/lxc", 500, "unable to read node list"));

        ReaperPassReport blind = world.pass();

        assertThat(blind.outcome()).isEqualTo(ReaperPassReport.Outcome.SUCCEEDED);
        assertThat(blind.nodes()).anySatisfy(n -> {
            assertThat(n.node()).isEqualTo(node);
            assertThat(n.listed()).isFalse();
        });
        assertThat(fixtures.reload(vanished.id).status).as("not marked LOST").isEqualTo(SandboxStatus.RUNNING);
        assertThat(world.guest(orphan)).as("not deleted").isPresent();
        assertThat(blind.actions()).noneMatch(a -> a.outcome() == ActionOutcome.DONE);

        world.sim().removeFault(failing.id());
        world.pass();

        assertThat(fixtures.reload(vanished.id).status).isEqualTo(SandboxStatus.LOST);
        assertThat(world.guest(orphan)).isEmpty();
    }

    @Test
    void aPassThatWantsMoreThanTheCapTakesTheOldestAndRaisesTheAlarm() {
        int[] vmids = new int[3];
        for (int i = 0; i < 3; i++) {
            vmids[i] = Fixtures.freshVmid();
            String id = SandboxIds.newId();
            world.handMadeGuest("pve1", vmids[i], "sandplane;" + id);
            // vmids[0] has been an orphan the longest.
            fixtures.sighting("pve1", vmids[i], id, Fixtures.now().minus(PAST_GRACE).minus(Duration.ofMinutes(3 - i)));
        }

        ReaperPassReport capped = world.pass(world.policy().withMaxDestructiveActions(2));

        assertThat(capped.capReached()).isTrue();
        assertThat(capped.destructiveWanted()).isEqualTo(3);
        assertThat(world.guest(vmids[0])).isEmpty();
        assertThat(world.guest(vmids[1])).isEmpty();
        assertThat(world.guest(vmids[2])).isPresent();
        assertThat(action(capped, "guest:pve1/" + vmids[2]))
                .hasValueSatisfying(a -> assertThat(a.outcome()).isEqualTo(ActionOutcome.DEFERRED));
        assertThat(metrics()).contains("reaper_cap_reached 1.0").contains("reaper_cap_hits_total");

        ReaperPassReport next = world.pass(world.policy().withMaxDestructiveActions(2));
        assertThat(next.capReached()).isFalse();
        assertThat(world.guest(vmids[2])).isEmpty();
        assertThat(metrics()).contains("reaper_cap_reached 0.0");
    }

    @Test
    void aDryRunDecidesAndReportsButActsOnNothing() {
        Sandbox expired = world.running();
        fixtures.set(expired.id, "ttl_action", "DELETE");
        fixtures.set(expired.id, "expires_at", Timestamp.from(Fixtures.now().minus(Duration.ofMinutes(1))));
        Sandbox vanished = world.running();
        world.sim().removeGuest(vanished.vmid);
        int orphan = Fixtures.freshVmid();
        String missing = SandboxIds.newId();
        world.handMadeGuest("pve3", orphan, "sandplane;" + missing);
        fixtures.sighting("pve3", orphan, missing, Fixtures.now().minus(PAST_GRACE));
        Sandbox gone = fixtures.sandbox().status(SandboxStatus.DELETED).statusChangedAgo(Duration.ofHours(1)).insert();

        ReaperPassReport report = world.dryRun();

        assertThat(report.dryRun()).isTrue();
        assertThat(report.actions()).extracting(ReaperPassReport.ActionReport::target).contains("sandbox:" + expired.id,
                "sandbox:" + vanished.id, "guest:pve3/" + orphan, "vmid:default/" + gone.vmid);
        assertThat(report.actions()).allSatisfy(a -> assertThat(a.outcome()).isEqualTo(ActionOutcome.DRY_RUN));
        assertThat(fixtures.reload(expired.id).status).isEqualTo(SandboxStatus.RUNNING);
        assertThat(world.guest(expired.vmid)).hasValueSatisfying(g -> assertThat(g.running()).isTrue());
        assertThat(fixtures.reload(vanished.id).status).isEqualTo(SandboxStatus.RUNNING);
        assertThat(world.guest(orphan)).isPresent();
        assertThat(fixtures.allocations(gone.id)).extracting(a -> a.state).containsOnly(VmidAllocation.State.ALLOCATED);
        for (Sandbox s : new Sandbox[] { expired, vanished, gone }) {
            assertThat(fixtures.events(s.id)).noneMatch(e -> "reaper".equals(e.actor));
        }
        assertThat(metrics()).contains("reaper_actions_total{action=\"delete\",outcome=\"dry-run\",rule=\"ttl\"}");
    }

    private String metrics() {
        return given().get(metricsUrl).then().statusCode(200).extract().asString();
    }
}
