package io.sandplane.reaper.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.provisioner.SharedProvisionerResource;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.api.ReaperPassReport.ActionOutcome;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.reaper.client.ProvisionerClient;
import io.sandplane.reaper.decision.GuestIndex;
import io.sandplane.reaper.decision.ReapAction;
import io.sandplane.reaper.decision.Rule;
import io.sandplane.reaper.service.ActionRunner;
import io.sandplane.reaper.service.Leadership;
import io.sandplane.reaper.service.Taken;
import io.sandplane.reaper.testing.Fixtures;
import io.sandplane.reaper.testing.World;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A leader whose database session is cut stops acting at once: the actions still queued are not taken. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = SharedProvisionerResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class LeadershipLossTest {

    @Inject
    World world;

    @Inject
    Fixtures fixtures;

    @Inject
    ActionRunner runner;

    @Inject
    Leadership leadership;

    @Inject
    ProvisionerClient provisioner;

    @Inject
    EntityManager em;

    @BeforeEach
    void reset() {
        world.reset();
    }

    @Test
    void actionsAfterTheLockSessionDiedAreAbortedAndTheNextPassTakesOver() {
        world.pass();
        assertThat(leadership.isLeader()).isTrue();
        Sandbox s = world.running();
        fixtures.set(s.id, "expires_at", Timestamp.from(Fixtures.now().minus(Duration.ofMinutes(1))));
        ReapAction stop = new ReapAction.Stop(s.id, Rule.TTL, "expired", Fixtures.now().minusSeconds(60));
        GuestIndex guests = new GuestIndex(provisioner.guests());

        // The database drops the leader's lock session (an operator, a failover, a network cut).
        assertThat(terminateLockSession()).isEqualTo(1);
        List<Taken> taken = runner.run(List.of(stop, stop),
                new ActionRunner.Context(guests, world.policy(), false, Fixtures.now().plusSeconds(60), 1, "test"));

        assertThat(taken).extracting(Taken::outcome).containsExactly(ActionOutcome.ABORTED, ActionOutcome.ABORTED);
        assertThat(leadership.isLeader()).isFalse();
        assertThat(fixtures.reload(s.id).status).isEqualTo(SandboxStatus.RUNNING);
        assertThat(world.guest(s.vmid)).hasValueSatisfying(g -> assertThat(g.running()).isTrue());
        assertThat(fixtures.events(s.id)).noneMatch(e -> "reaper".equals(e.actor));

        // The next tick takes the lock again (no other replica holds it) and acts.
        world.pass();
        assertThat(leadership.isLeader()).isTrue();
        assertThat(fixtures.reload(s.id).status).isEqualTo(SandboxStatus.STOPPED);
    }

    @Transactional
    int terminateLockSession() {
        return ((Number) em.createNativeQuery("""
                select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = :name""")
                .setParameter("name", "sandplane-reaper " + leadership.instance()).getSingleResult()).intValue();
    }
}
