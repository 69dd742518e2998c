package io.sandplane.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.catalog.TemplateCatalog;
import io.sandplane.model.catalog.TemplateCatalogSeeder;
import io.sandplane.model.entity.Template;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class TemplateCatalogSeedingTest {

    @Inject
    TemplateCatalogSeeder seeder;

    @Inject
    EntityManager em;

    @Test
    void theBundledCatalogIsInTheTemplatesTableAfterStartUp() {
        List<Template> active = QuarkusTransaction.requiringNew().call(seeder::activeTemplates);
        assertThat(active).extracting(t -> t.node + "/" + t.templateVmid + "/" + t.snapshotId)
                .containsExactlyInAnyOrderElementsOf(TemplateCatalog.bundled().rows().stream()
                        .map(r -> r.node() + "/" + r.templateVmid() + "/" + r.snapshotId()).toList());
    }

    @Test
    void reseedingFollowsTheCatalogAndKeepsRetiredRows() {
        TemplateCatalog smaller = TemplateCatalog.read(new ByteArrayInputStream("""
                {"schemaVersion": 1, "presets": [{"provider": "pve-lxc", "presetId": "4vcpu_8gb_32gb",
                  "label": "Renamed", "cpu": "4", "memory": "8", "disk": "32",
                  "versions": [{"version": 1, "snapshotId": "snapshot_std4c8g1", "copies": [{"node": "pve1", "vmid": 9001}]}]}]}
                """.getBytes(StandardCharsets.UTF_8)), "test");
        try {
            QuarkusTransaction.requiringNew().run(() -> seeder.seed(smaller));
            List<Template> active = QuarkusTransaction.requiringNew().call(seeder::activeTemplates);
            assertThat(active).singleElement().satisfies(t -> {
                assertThat(t.templateVmid).isEqualTo(9001);
                assertThat(t.label).isEqualTo("Renamed");
            });
            long retired = QuarkusTransaction.requiringNew().call(() ->
                    em.createQuery("select count(t) from Template t where not t.active", Long.class).getSingleResult());
            assertThat(retired).isEqualTo(TemplateCatalog.bundled().rows().size() - 1);
            // Seeding the same catalog again changes nothing.
            assertThat(QuarkusTransaction.requiringNew().call(() -> seeder.seed(smaller))).isZero();
        } finally {
            QuarkusTransaction.requiringNew().run(() -> seeder.seed(TemplateCatalog.bundled()));
        }
        assertThat(QuarkusTransaction.requiringNew().call(seeder::activeTemplates)).hasSize(TemplateCatalog.bundled().rows().size());
    }
}
