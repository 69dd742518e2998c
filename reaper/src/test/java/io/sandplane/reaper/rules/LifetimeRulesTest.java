package io.sandplane.reaper.rules;

import static io.sandplane.reaper.testing.World.action;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.provisioner.SharedProvisionerResource;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.api.ReaperPassReport;
import io.sandplane.model.api.ReaperPassReport.ActionOutcome;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.entity.VmidAllocation;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.reaper.testing.Fixtures;
import io.sandplane.reaper.testing.World;
import io.sandplane.reaper.client.ProvisionerClient;
import io.sandplane.reaper.decision.GuestIndex;
import io.sandplane.reaper.decision.ReapAction;
import io.sandplane.reaper.decision.Rule;
import io.sandplane.reaper.service.ActionRunner;
import io.sandplane.reaper.service.Taken;
import jakarta.inject.Inject;
import java.util.List;
import java.sql.Timestamp;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TTL, idle, retention and stuck deletes end to end: real rows, the provisioner process acting on
 * the simulator, and the history each action leaves.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = SharedProvisionerResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class LifetimeRulesTest {

    @Inject
    World world;

    @Inject
    Fixtures fixtures;

    @Inject
    ActionRunner runner;

    @Inject
    ProvisionerClient provisioner;

    @BeforeEach
    void reset() {
        world.reset();
    }

    @Test
    void anExpiredSandboxGetsItsTtlActionStop() {
        Sandbox s = world.running();
        expire(s, "STOP");

        ReaperPassReport report = world.pass();

        assertThat(action(report, "sandbox:" + s.id)).hasValueSatisfying(a -> {
            assertThat(a.rule()).isEqualTo("ttl");
            assertThat(a.action()).isEqualTo("stop");
            assertThat(a.outcome()).isEqualTo(ActionOutcome.DONE);
        });
        assertThat(fixtures.reload(s.id).status).isEqualTo(SandboxStatus.STOPPED);
        assertThat(world.guest(s.vmid)).hasValueSatisfying(g -> assertThat(g.status()).isEqualTo("stopped"));
        assertThat(fixtures.events(s.id)).anySatisfy(e -> {
            assertThat(e.type).isEqualTo(SandboxEvent.Type.ACTION);
            assertThat(e.actor).isEqualTo("reaper");
            assertThat(e.detail).startsWith("reaper ttl: stop — expired at ").contains("ttlAction stop");
        });

        ReaperPassReport again = world.pass();
        assertThat(action(again, "sandbox:" + s.id)).as("stopped once, not at every pass").isEmpty();
    }

    @Test
    void anExpiredSandboxGetsItsTtlActionPause() {
        Sandbox s = world.running();
        expire(s, "PAUSE");
        world.pass();
        assertThat(fixtures.reload(s.id).status).isEqualTo(SandboxStatus.PAUSED);
        assertThat(world.guest(s.vmid)).hasValueSatisfying(g -> assertThat(g.running()).isFalse());
        assertThat(fixtures.events(s.id)).anySatisfy(e -> assertThat(e.detail).startsWith("reaper ttl: pause"));
    }

    @Test
    void anExpiredSandboxGetsItsTtlActionDelete() {
        Sandbox s = world.running();
        expire(s, "DELETE");
        world.pass();
        assertThat(fixtures.reload(s.id).status).isEqualTo(SandboxStatus.DELETED);
        assertThat(world.guest(s.vmid)).isEmpty();
        assertThat(fixtures.allocations(s.id)).extracting(a -> a.state).containsOnly(VmidAllocation.State.RELEASED);
        assertThat(fixtures.events(s.id)).anySatisfy(e -> assertThat(e.detail).startsWith("reaper ttl: delete"));
    }

    @Test
    void anIdleSandboxIsPausedAndABusyOneIsNot() {
        Sandbox idle = world.running();
        Sandbox busy = world.running();
        for (Sandbox s : new Sandbox[] { idle, busy }) {
            fixtures.set(s.id, "idle_timeout_seconds", 60);
            fixtures.age(s.id, Duration.ofMinutes(10));
        }
        fixtures.set(idle.id, "last_activity_at", Timestamp.from(Fixtures.now().minus(Duration.ofMinutes(2))));
        fixtures.set(busy.id, "last_activity_at", Timestamp.from(Fixtures.now().minusSeconds(5)));

        world.pass();

        assertThat(fixtures.reload(idle.id).status).isEqualTo(SandboxStatus.PAUSED);
        assertThat(world.guest(idle.vmid)).hasValueSatisfying(g -> assertThat(g.running()).isFalse());
        assertThat(fixtures.events(idle.id)).anySatisfy(e -> assertThat(e.detail)
                .startsWith("reaper idle: pause — no activity since").contains("idle timeout of 1m"));
        assertThat(fixtures.reload(busy.id).status).isEqualTo(SandboxStatus.RUNNING);
        assertThat(world.guest(busy.vmid)).hasValueSatisfying(g -> assertThat(g.running()).isTrue());
    }

    @Test
    void aSandboxPausedLongerThanTheRetentionIsDeleted() {
        Sandbox old = world.paused(world.running());
        Sandbox recent = world.paused(world.running());
        fixtures.age(old.id, Duration.ofDays(7).plusMinutes(1));
        fixtures.age(recent.id, Duration.ofDays(6));

        world.pass();

        assertThat(fixtures.reload(old.id).status).isEqualTo(SandboxStatus.DELETED);
        assertThat(world.guest(old.vmid)).isEmpty();
        assertThat(fixtures.events(old.id)).anySatisfy(e -> assertThat(e.detail)
                .startsWith("reaper retention: delete — PAUSED since").contains("retention of 7d"));
        assertThat(fixtures.reload(recent.id).status).isEqualTo(SandboxStatus.PAUSED);
        assertThat(world.guest(recent.vmid)).isPresent();
    }

    @Test
    void aDeleteStuckPastItsDeadlineIsRetried() {
        Sandbox s = world.running();
        // The provisioner that began this delete died before destroying the guest.
        fixtures.set(s.id, "status", "DELETING");
        fixtures.age(s.id, Duration.ofMinutes(11));

        ReaperPassReport report = world.pass();

        assertThat(action(report, "sandbox:" + s.id)).hasValueSatisfying(a -> {
            assertThat(a.rule()).isEqualTo("stuck-deleting");
            assertThat(a.outcome()).isEqualTo(ActionOutcome.DONE);
        });
        assertThat(fixtures.reload(s.id).status).isEqualTo(SandboxStatus.DELETED);
        assertThat(world.guest(s.vmid)).isEmpty();
    }

    @Test
    void aDecisionThatIsNoLongerDueWhenItsTurnComesIsSkipped() {
        Sandbox s = world.running();
        // Decided while the sandbox was expired; the TTL was extended before the action's turn came.
        ReapAction stale = new ReapAction.Delete(s.id, Rule.TTL, "expired a minute ago", Fixtures.now().minusSeconds(60));
        GuestIndex guests = new GuestIndex(provisioner.guests());

        List<Taken> taken = runner.run(List.of(stale),
                new ActionRunner.Context(guests, world.policy(), false, Fixtures.now().plusSeconds(60), 1, "test"));

        assertThat(taken).singleElement().satisfies(t -> {
            assertThat(t.outcome()).isEqualTo(ActionOutcome.SKIPPED);
            assertThat(t.detail()).startsWith("no longer due");
        });
        assertThat(fixtures.reload(s.id).status).isEqualTo(SandboxStatus.RUNNING);
        assertThat(world.guest(s.vmid)).isPresent();
        assertThat(fixtures.events(s.id)).noneMatch(e -> "reaper".equals(e.actor));
    }

    private void expire(Sandbox s, String ttlAction) {
        fixtures.set(s.id, "ttl_action", ttlAction);
        fixtures.set(s.id, "expires_at", Timestamp.from(Fixtures.now().minus(Duration.ofMinutes(1))));
    }
}
