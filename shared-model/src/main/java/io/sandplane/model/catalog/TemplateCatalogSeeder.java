package io.sandplane.model.catalog;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.sandplane.model.entity.Template;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Writes the template catalog into the {@code templates} table at start-up. Every platform service
 * does this (idempotently, under an advisory lock), so whichever starts first finds the catalog in
 * place; rows that left the catalog are deactivated, not deleted.
 */
@ApplicationScoped
public class TemplateCatalogSeeder {

    private static final Logger LOG = Logger.getLogger(TemplateCatalogSeeder.class);
    /** Advisory-lock key for seeding; any constant unique to this purpose works. */
    private static final long SEED_LOCK = 0x53414E44_43415431L;

    private final EntityManager em;
    private final Optional<String> catalogFile;

    public TemplateCatalogSeeder(EntityManager em,
            @ConfigProperty(name = "sandplane.template-catalog") Optional<String> catalogFile) {
        this.em = em;
        this.catalogFile = catalogFile;
    }

    void onStart(@Observes StartupEvent event) {
        TemplateCatalog catalog = TemplateCatalog.load(catalogFile.filter(f -> !f.isBlank()).map(Path::of));
        int changed = QuarkusTransaction.requiringNew().call(() -> seed(catalog));
        LOG.infof("Template catalog %s: %d template copies, %d rows changed",
                catalogFile.filter(f -> !f.isBlank()).orElse("(bundled)"), catalog.rows().size(), changed);
    }

    /** Makes the table match the catalog; returns how many rows it inserted, changed or deactivated. */
    public int seed(TemplateCatalog catalog) {
        em.createNativeQuery("select pg_advisory_xact_lock(?1)").setParameter(1, SEED_LOCK).getSingleResult();
        Map<String, Template> existing = new HashMap<>();
        for (Template t : em.createQuery("from Template", Template.class).getResultList()) {
            existing.put(key(t.provider.id(), t.templateVmid), t);
        }
        Instant now = Instant.now();
        int changed = 0;
        for (TemplateCatalog.TemplateRow row : catalog.rows()) {
            Template t = existing.remove(key(row.provider().id(), row.templateVmid()));
            if (t == null) {
                t = new Template();
                t.provider = row.provider();
                t.templateVmid = row.templateVmid();
            } else if (matches(t, row)) {
                continue;
            }
            t.presetId = row.presetId().value();
            t.version = row.version();
            t.snapshotId = row.snapshotId();
            t.node = row.node();
            t.label = row.label();
            t.cpu = row.cpu();
            t.memory = row.memory();
            t.disk = row.disk();
            t.description = row.description();
            t.active = true;
            t.updatedAt = now;
            em.persist(t);
            changed++;
        }
        for (Template gone : existing.values()) {
            if (gone.active) {
                gone.active = false;
                gone.updatedAt = now;
                changed++;
            }
        }
        return changed;
    }

    private static boolean matches(Template t, TemplateCatalog.TemplateRow row) {
        return t.active && t.presetId.equals(row.presetId().value()) && t.version == row.version()
                && t.snapshotId.equals(row.snapshotId()) && t.node.equals(row.node())
                && t.label.equals(row.label()) && java.util.Objects.equals(t.cpu, row.cpu())
                && java.util.Objects.equals(t.memory, row.memory()) && java.util.Objects.equals(t.disk, row.disk())
                && java.util.Objects.equals(t.description, row.description());
    }

    private static String key(String provider, int vmid) {
        return provider + "/" + vmid;
    }

    /** For tests and tools: the rows currently active. */
    public List<Template> activeTemplates() {
        return em.createQuery("from Template where active order by provider, presetId, version, templateVmid", Template.class)
                .getResultList();
    }
}
