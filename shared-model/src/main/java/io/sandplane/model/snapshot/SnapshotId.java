package io.sandplane.model.snapshot;

import io.sandplane.model.InvalidValueException;
import io.sandplane.model.catalog.PresetId;
import io.sandplane.model.entity.Template;
import io.sandplane.model.pve.PveValues;
import io.sandplane.model.provider.Provider;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The three snapshot id formats a client may send (cmux-api.md §2.5).
 * {@link #parse(String)} returns one of them or throws {@link InvalidValueException} naming the
 * problem; {@link #format()} gives back the exact string that was parsed.
 */
public sealed interface SnapshotId {

    int MAX_LENGTH = 128;

    String format();

    /**
     * Whether a template row is (a copy of) what this id names: the catalog's snapshot id, a provider's preset
     * version, or (legacy) a pve-lxc preset's template VMID. Whether the row is active is the caller's business.
     */
    default boolean names(Template template) {
        return switch (this) {
            case Catalog c -> c.value().equals(template.snapshotId);
            case Unified u -> template.provider == u.provider() && u.presetId().value().equals(template.presetId)
                    && template.version == u.version();
            case Legacy l -> template.provider == l.provider() && l.presetId().value().equals(template.presetId)
                    && template.templateVmid == l.templateVmid();
        };
    }

    /** {@code {provider}_{presetId}_v{version}}, e.g. {@code pvelxc_4vcpu_6gb_32gb_v1}. */
    record Unified(Provider provider, PresetId presetId, int version) implements SnapshotId {
        public Unified {
            if (version < 1) {
                throw new InvalidValueException("snapshotId", "snapshot version must be 1 or more");
            }
        }

        @Override
        public String format() {
            return provider.snapshotToken() + "_" + presetId.value() + "_v" + version;
        }
    }

    /** Legacy {@code pve_{presetId}_{templateVmid}}: a pve-lxc template addressed by VMID. */
    record Legacy(PresetId presetId, int templateVmid) implements SnapshotId {
        public Legacy {
            PveValues.requireVmid("snapshotId", templateVmid);
        }

        public Provider provider() {
            return Provider.PVE_LXC;
        }

        @Override
        public String format() {
            return "pve_" + presetId.value() + "_" + templateVmid;
        }
    }

    /** Provider-agnostic {@code snapshot_[a-z0-9]+}, resolved through the template catalog. */
    record Catalog(String value) implements SnapshotId {
        public Catalog {
            if (value == null || !CATALOG.matcher(value).matches() || value.length() > MAX_LENGTH) {
                throw new InvalidValueException("snapshotId",
                        "invalid snapshot id " + InvalidValueException.quote(value) + "; expected snapshot_[a-z0-9]+");
            }
        }

        @Override
        public String format() {
            return value;
        }
    }

    Pattern UNIFIED = Pattern.compile("(morph|pvelxc|pvevm)_([a-z0-9]+_[a-z0-9]+_[a-z0-9]+)_v([1-9][0-9]{0,8})");
    Pattern LEGACY = Pattern.compile("pve_([a-z0-9]+_[a-z0-9]+_[a-z0-9]+)_([1-9][0-9]{2,8})");
    Pattern CATALOG = Pattern.compile("snapshot_[a-z0-9]+");

    static SnapshotId parse(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw new InvalidValueException("snapshotId", "snapshotId is required");
        }
        if (raw.length() > MAX_LENGTH) {
            throw new InvalidValueException("snapshotId",
                    "snapshotId is " + raw.length() + " characters long; at most " + MAX_LENGTH + " are allowed");
        }
        if (CATALOG.matcher(raw).matches()) {
            return new Catalog(raw);
        }
        Matcher unified = UNIFIED.matcher(raw);
        if (unified.matches()) {
            return new Unified(Provider.fromSnapshotToken(unified.group(1)), PresetId.of(unified.group(2)),
                    Integer.parseInt(unified.group(3)));
        }
        Matcher legacy = LEGACY.matcher(raw);
        if (legacy.matches()) {
            return new Legacy(PresetId.of(legacy.group(1)), Integer.parseInt(legacy.group(2)));
        }
        throw new InvalidValueException("snapshotId", "invalid snapshot id " + InvalidValueException.quote(raw)
                + "; expected snapshot_<id>, <provider>_<cpu>_<mem>_<disk>_v<version> (e.g. pvelxc_4vcpu_8gb_32gb_v1)"
                + " or pve_<cpu>_<mem>_<disk>_<templateVmid>");
    }
}
