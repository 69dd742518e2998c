package io.sandplane.sandboxapi.service;

import io.sandplane.model.InvalidValueException;
import io.sandplane.model.catalog.PresetId;
import io.sandplane.model.entity.Template;
import io.sandplane.model.provider.Provider;
import io.sandplane.model.snapshot.SnapshotId;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Resolves snapshot ids and presets through the {@code templates} table (seeded from the catalog).
 * An id that is well-formed but names nothing active is a 400 on {@code snapshotId} / {@code preset}.
 */
@ApplicationScoped
public class TemplateResolver {

    private final ActiveTemplates templates;
    private final Provider activeProvider;

    public TemplateResolver(ActiveTemplates templates, ActiveProvider activeProvider) {
        this.templates = templates;
        this.activeProvider = activeProvider.get();
    }

    public ResolvedTemplate bySnapshotId(String raw) {
        SnapshotId id = SnapshotId.parse(raw);
        List<Template> active = templates.of(activeProvider);
        Template t = active.stream().filter(id::names).filter(m -> m.provider == activeProvider).findFirst()
                .orElseThrow(() -> new InvalidValueException("snapshotId", "unknown snapshot id " + InvalidValueException.quote(raw)
                        + ": no active template of provider " + activeProvider.id() + " has it; see GET /api/config/sandbox"));
        return new ResolvedTemplate(t.provider, t.presetId, t.version, raw);
    }

    /** A preset's given version, or its latest; the default preset when {@code preset} is null. */
    public ResolvedTemplate byPreset(String preset, Integer version) {
        Map<String, TreeMap<Integer, Template>> presets = presets();
        if (presets.isEmpty()) {
            throw new InvalidValueException("preset", "no templates are configured for provider " + activeProvider.id());
        }
        String presetId = preset == null ? presets.keySet().iterator().next() : PresetId.of(preset).value();
        TreeMap<Integer, Template> versions = presets.get(presetId);
        if (versions == null) {
            throw new InvalidValueException("preset", "unknown preset " + InvalidValueException.quote(preset)
                    + "; available: " + String.join(", ", presets.keySet()));
        }
        Template t = version == null ? versions.lastEntry().getValue() : versions.get(version);
        if (t == null) {
            throw new InvalidValueException("version", "preset " + presetId + " has no version " + version
                    + "; available: " + versions.keySet());
        }
        return new ResolvedTemplate(t.provider, t.presetId, t.version, t.snapshotId);
    }

    /**
     * Active presets of the provider in catalog order (the first is the default), each with its versions;
     * one template row per version stands for all its copies.
     */
    public Map<String, TreeMap<Integer, Template>> presets() {
        Map<String, TreeMap<Integer, Template>> presets = new LinkedHashMap<>();
        templates.of(activeProvider).stream()
                .sorted(Comparator.comparingLong(t -> t.id))
                .forEach(t -> presets.computeIfAbsent(t.presetId, p -> new TreeMap<>()).putIfAbsent(t.version, t));
        return presets;
    }

    public Provider provider() {
        return activeProvider;
    }
}
