package io.sandplane.provisioner.service;

import io.sandplane.model.InvalidValueException;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.Template;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.model.provider.Provider;
import io.sandplane.model.snapshot.SnapshotId;
import io.sandplane.provisioner.provider.StartSpec.TemplateCopy;
import io.sandplane.provisioner.repository.TemplateRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;

/** Turns a sandbox's snapshot id into the template copies that hold it (the {@code templates} table). */
@ApplicationScoped
public class TemplateResolver {

    private final TemplateRepository templates;

    public TemplateResolver(TemplateRepository templates) {
        this.templates = templates;
    }

    /** What a snapshot id resolves to: its preset version and every active copy. */
    public record Resolved(Provider provider, String presetId, int version, String snapshotId, List<TemplateCopy> copies) {
    }

    /** @throws ProblemException 422 for an unknown snapshot, a preset version without a template, a provider mismatch */
    @Transactional(dontRollbackOn = ProblemException.class)
    public Resolved resolve(Sandbox row) {
        SnapshotId snapshot;
        try {
            snapshot = SnapshotId.parse(row.snapshotId);
        } catch (InvalidValueException e) {
            throw unknownSnapshot(row.snapshotId, e.getMessage());
        }
        // The catalog is a few dozen rows: read whole, matched by the one rule every service uses (SnapshotId.names).
        List<Template> all = templates.all();
        List<Template> rows = all.stream().filter(snapshot::names).toList();
        switch (snapshot) {
            case SnapshotId.Catalog c -> {
                if (rows.isEmpty()) {
                    throw unknownSnapshot(row.snapshotId, "no template catalog entry has this snapshot id");
                }
            }
            case SnapshotId.Unified u -> {
                if (all.stream().noneMatch(t -> t.provider == u.provider() && t.presetId.equals(u.presetId().value()))) {
                    throw unknownSnapshot(row.snapshotId, "provider " + u.provider().id() + " has no preset "
                            + u.presetId());
                }
            }
            case SnapshotId.Legacy l -> {
                if (rows.isEmpty()) {
                    throw unknownSnapshot(row.snapshotId, "no template of preset " + l.presetId() + " has VMID "
                            + l.templateVmid());
                }
                // The copies of one snapshot hold the same thing: any of them will do.
                String named = rows.getFirst().snapshotId;
                rows = all.stream().filter(t -> t.snapshotId.equals(named)).toList();
            }
        }
        List<Template> active = rows.stream().filter(t -> t.active).toList();
        if (active.isEmpty()) {
            throw new ProblemException(422, "no-template", "No template",
                    "snapshot " + row.snapshotId + " has no active template copy"
                            + (rows.isEmpty() ? " (this preset version does not exist)" : " (its templates were retired)"));
        }
        Template first = active.getFirst();
        if (first.provider != row.provider) {
            throw new ProblemException(422, "provider-mismatch", "Provider mismatch",
                    "snapshot " + row.snapshotId + " belongs to provider " + first.provider.id() + ", the sandbox to "
                            + row.provider.id());
        }
        return new Resolved(first.provider, first.presetId, first.version, first.snapshotId,
                active.stream().map(t -> new TemplateCopy(t.node, t.templateVmid)).toList());
    }

    private static ProblemException unknownSnapshot(String snapshotId, String why) {
        return new ProblemException(422, "unknown-snapshot", "Unknown snapshot",
                "snapshot " + InvalidValueException.quote(snapshotId) + " is unknown: " + why);
    }
}
