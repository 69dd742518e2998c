package io.sandplane.model.catalog;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.sandplane.model.InvalidValueException;
import io.sandplane.model.pve.PveValues;
import io.sandplane.model.provider.Provider;
import io.sandplane.model.snapshot.SnapshotId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Presets and their template versions, as data. The bundled {@code catalog/templates.json} matches
 * the pve-simulator's default scenario; an operator points {@code SANDPLANE_TEMPLATE_CATALOG} at a
 * file of the same shape describing their own PVE templates.
 */
public record TemplateCatalog(int schemaVersion, List<CatalogPreset> presets) {

    public static final int SCHEMA_VERSION = 1;
    public static final String BUNDLED_RESOURCE = "catalog/templates.json";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** One preset: display values are strings (they describe the template, they do not size it). */
    public record CatalogPreset(Provider provider, PresetId presetId, String label, String cpu, String memory,
            String disk, String description, List<CatalogVersion> versions) {

        public CatalogVersion latest() {
            return versions.getLast();
        }

        public Optional<CatalogVersion> version(int version) {
            return versions.stream().filter(v -> v.version() == version).findFirst();
        }
    }

    /** One version of a preset: a snapshot id and the template guests (copies) that hold it. */
    public record CatalogVersion(int version, String snapshotId, Instant capturedAt, List<TemplateCopy> copies) {
    }

    /** A template guest: cloning from several copies lets starts of one preset run in parallel. */
    public record TemplateCopy(String node, int vmid) {
    }

    /** One row of the {@code templates} table. */
    public record TemplateRow(Provider provider, PresetId presetId, int version, String snapshotId, String node,
            int templateVmid, String label, String cpu, String memory, String disk, String description) {
    }

    public static TemplateCatalog bundled() {
        try (InputStream in = TemplateCatalog.class.getClassLoader().getResourceAsStream(BUNDLED_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("bundled template catalog " + BUNDLED_RESOURCE + " is missing");
            }
            return read(in, "bundled catalog");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The operator's catalog file if one is configured, else the bundled one. */
    public static TemplateCatalog load(Optional<Path> file) {
        if (file.isEmpty()) {
            return bundled();
        }
        Path path = file.get();
        if (!Files.isReadable(path)) {
            throw new InvalidValueException("SANDPLANE_TEMPLATE_CATALOG", "template catalog " + path + " is not a readable file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, path.toString());
        } catch (IOException e) {
            throw new InvalidValueException("SANDPLANE_TEMPLATE_CATALOG", "cannot read template catalog " + path + ": " + e.getMessage());
        }
    }

    public static TemplateCatalog read(InputStream json, String source) {
        TemplateCatalog catalog;
        try {
            catalog = JSON.readValue(json, TemplateCatalog.class);
        } catch (IOException e) {
            if (e.getCause() instanceof InvalidValueException invalid) {
                throw new InvalidValueException("catalog", source + ": " + invalid.getMessage());
            }
            throw new InvalidValueException("catalog", source + " is not a valid template catalog: " + e.getMessage());
        }
        catalog.validate(source);
        return catalog;
    }

    private void validate(String source) {
        if (schemaVersion != SCHEMA_VERSION) {
            throw invalid(source, "schemaVersion " + schemaVersion + " is not supported (expected " + SCHEMA_VERSION + ")");
        }
        if (presets == null || presets.isEmpty()) {
            throw invalid(source, "no presets");
        }
        Set<String> presetKeys = new HashSet<>();
        Set<String> snapshotIds = new HashSet<>();
        Set<String> copies = new HashSet<>();
        for (int p = 0; p < presets.size(); p++) {
            CatalogPreset preset = presets.get(p);
            String at = "presets[" + p + "]";
            if (preset.provider() == null || preset.presetId() == null) {
                throw invalid(source, at + ": provider and presetId are required");
            }
            if (!presetKeys.add(preset.provider().id() + "/" + preset.presetId())) {
                throw invalid(source, at + ": preset " + preset.presetId() + " appears twice for " + preset.provider().id());
            }
            requireText(source, at + ".label", preset.label());
            if (preset.versions() == null || preset.versions().isEmpty()) {
                throw invalid(source, at + ": no versions");
            }
            int previous = 0;
            for (int v = 0; v < preset.versions().size(); v++) {
                CatalogVersion version = preset.versions().get(v);
                String vat = at + ".versions[" + v + "]";
                if (version.version() <= previous) {
                    throw invalid(source, vat + ": versions must be strictly increasing");
                }
                previous = version.version();
                if (version.snapshotId() == null || !(SnapshotId.parse(version.snapshotId()) instanceof SnapshotId.Catalog)) {
                    throw invalid(source, vat + ": snapshotId must look like snapshot_[a-z0-9]+");
                }
                if (!snapshotIds.add(version.snapshotId())) {
                    throw invalid(source, vat + ": snapshotId " + version.snapshotId() + " is used twice");
                }
                if (version.copies() == null || version.copies().isEmpty()) {
                    throw invalid(source, vat + ": at least one template copy (node, vmid) is required");
                }
                for (TemplateCopy copy : version.copies()) {
                    PveValues.requireNode(copy.node());
                    PveValues.requireVmid(vat + ".copies", copy.vmid());
                    // A VMID is unique in a PVE cluster, whatever the node.
                    if (!copies.add(preset.provider().id() + "/" + copy.vmid())) {
                        throw invalid(source, vat + ": template VMID " + copy.vmid() + " is listed twice");
                    }
                }
            }
        }
    }

    private static void requireText(String source, String at, String value) {
        if (value == null || value.isBlank()) {
            throw invalid(source, at + " is required");
        }
    }

    private static InvalidValueException invalid(String source, String message) {
        return new InvalidValueException("catalog", source + ": " + message);
    }

    public List<CatalogPreset> presets(Provider provider) {
        return presets.stream().filter(p -> p.provider() == provider).toList();
    }

    /** The first preset listed for the provider is its default, as in cmux. */
    public Optional<CatalogPreset> defaultPreset(Provider provider) {
        return presets(provider).stream().findFirst();
    }

    public Optional<CatalogPreset> preset(Provider provider, PresetId presetId) {
        return presets(provider).stream().filter(p -> p.presetId().equals(presetId)).findFirst();
    }

    public List<TemplateRow> rows() {
        List<TemplateRow> rows = new ArrayList<>();
        for (CatalogPreset p : presets) {
            for (CatalogVersion v : p.versions()) {
                for (TemplateCopy c : v.copies()) {
                    rows.add(new TemplateRow(p.provider(), p.presetId(), v.version(), v.snapshotId(), c.node(), c.vmid(),
                            p.label(), p.cpu(), p.memory(), p.disk(), p.description()));
                }
            }
        }
        return rows;
    }
}
