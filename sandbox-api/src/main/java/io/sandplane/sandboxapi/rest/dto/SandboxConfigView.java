package io.sandplane.sandboxapi.rest.dto;

import io.sandplane.model.provider.Capabilities;
import java.util.List;

/**
 * cmux's {@code SandboxConfig} (provider, providerDisplayName, presets, defaultPresetId, capabilities),
 * with each preset's versions added.
 *
 * @param defaultPresetId as in cmux, the snapshot id of the default preset's latest version
 */
public record SandboxConfigView(String provider, String providerDisplayName, List<PresetView> presets,
        String defaultPresetId, Capabilities capabilities) {

    /** @param id the snapshot id of the latest version */
    public record PresetView(String id, String presetId, String label, String cpu, String memory, String disk,
            String description, List<VersionView> versions) {
    }

    public record VersionView(int version, String snapshotId) {
    }
}
