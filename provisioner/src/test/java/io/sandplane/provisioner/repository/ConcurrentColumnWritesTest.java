package io.sandplane.provisioner.repository;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.provisioner.support.Fixtures;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/**
 * The url-router records {@code last_activity_at} with a bulk update while the provisioner (or
 * sandbox-api) holds the same row as an entity: the entity's update must not write back the stale
 * value of a column it never changed.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class ConcurrentColumnWritesTest {

    @Inject
    EntityManager em;

    @Test
    void anEntityUpdateKeepsTheActivityRecordedMeanwhileByAnotherWriter() {
        Fixtures fixtures = new Fixtures(em);
        String id = fixtures.sandbox().insert();
        Instant activity = Instant.now().truncatedTo(ChronoUnit.MICROS);

        QuarkusTransaction.requiringNew().run(() -> {
            Sandbox row = em.find(Sandbox.class, id);
            assertThat(row.lastActivityAt).isNull();
            // Another service's write, committed while this transaction holds the row as loaded.
            QuarkusTransaction.requiringNew().run(() -> em.createQuery(
                    "update Sandbox set lastActivityAt = ?1 where id = ?2")
                    .setParameter(1, activity).setParameter(2, id).executeUpdate());
            row.step = ProvisionStep.VMID_ALLOCATED;
        });

        Sandbox after = fixtures.row(id);
        assertThat(after.step).isEqualTo(ProvisionStep.VMID_ALLOCATED);
        assertThat(after.lastActivityAt).isEqualTo(activity);
    }
}
