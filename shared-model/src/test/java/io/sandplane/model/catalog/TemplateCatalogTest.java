package io.sandplane.model.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandplane.model.InvalidValueException;
import io.sandplane.model.provider.Provider;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateCatalogTest {

    @Test
    void theBundledCatalogIsValidAndHasCopiesToCloneInParallel() {
        TemplateCatalog catalog = TemplateCatalog.bundled();
        TemplateCatalog.CatalogPreset standard = catalog.defaultPreset(Provider.PVE_LXC).orElseThrow();
        assertThat(standard.presetId().value()).isEqualTo("4vcpu_8gb_32gb");
        assertThat(standard.latest().copies()).hasSizeGreaterThan(1);
        assertThat(catalog.rows()).allSatisfy(r -> assertThat(r.templateVmid()).isBetween(100, 999_999_999));
        assertThat(catalog.preset(Provider.PVE_LXC, PresetId.of("6vcpu_8gb_40gb"))).isPresent();
        assertThat(catalog.defaultPreset(Provider.MORPH)).isEmpty();
    }

    @Test
    void anOperatorFileReplacesTheBundledCatalog(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("catalog.json");
        Files.writeString(file, catalog("""
                {"version": 1, "snapshotId": "snapshot_mine1", "copies": [{"node": "hv1", "vmid": 120}]},
                {"version": 2, "snapshotId": "snapshot_mine2", "copies": [{"node": "hv1", "vmid": 121}, {"node": "hv2", "vmid": 122}]}
                """));
        TemplateCatalog catalog = TemplateCatalog.load(Optional.of(file));
        assertThat(catalog.rows()).hasSize(3);
        assertThat(catalog.defaultPreset(Provider.PVE_LXC).orElseThrow().latest().snapshotId()).isEqualTo("snapshot_mine2");
    }

    @Test
    void aMissingFileIsAClearError(@TempDir Path dir) {
        assertThatThrownBy(() -> TemplateCatalog.load(Optional.of(dir.resolve("nope.json"))))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("nope.json is not a readable file");
    }

    @Test
    void rejectsVersionsOutOfOrder() {
        assertInvalid(catalog("""
                {"version": 2, "snapshotId": "snapshot_a", "copies": [{"node": "n", "vmid": 120}]},
                {"version": 2, "snapshotId": "snapshot_b", "copies": [{"node": "n", "vmid": 121}]}
                """), "strictly increasing");
    }

    @Test
    void rejectsDuplicateSnapshotIdsAndVmids() {
        assertInvalid(catalog("""
                {"version": 1, "snapshotId": "snapshot_a", "copies": [{"node": "n", "vmid": 120}]},
                {"version": 2, "snapshotId": "snapshot_a", "copies": [{"node": "n", "vmid": 121}]}
                """), "used twice");
        assertInvalid(catalog("""
                {"version": 1, "snapshotId": "snapshot_a", "copies": [{"node": "n", "vmid": 120}, {"node": "m", "vmid": 120}]}
                """), "listed twice");
    }

    @Test
    void rejectsBadValues() {
        assertInvalid(catalog("""
                {"version": 1, "snapshotId": "pvelxc_1_2_3_v1", "copies": [{"node": "n", "vmid": 120}]}
                """), "snapshot_[a-z0-9]+");
        assertInvalid(catalog("""
                {"version": 1, "snapshotId": "snapshot_a", "copies": []}
                """), "at least one template copy");
        assertInvalid(catalog("""
                {"version": 1, "snapshotId": "snapshot_a", "copies": [{"node": "n", "vmid": 99}]}
                """), "VMID 99");
        assertInvalid(catalog("""
                {"version": 1, "snapshotId": "snapshot_a", "copies": [{"node": "bad node", "vmid": 120}]}
                """), "node");
        assertInvalid("{\"schemaVersion\": 2, \"presets\": []}", "schemaVersion 2");
        assertInvalid("{\"schemaVersion\": 1, \"presets\": []}", "no presets");
        assertInvalid("not json", "not a valid template catalog");
        assertInvalid(catalog("").replace("\"label\": \"Mine\"", "\"label\": \"Mine\", \"lable\": 1"), "not a valid template catalog");
        assertInvalid(catalog("{\"version\": 1, \"snapshotId\": \"snapshot_a\", \"copies\": [{\"node\": \"n\", \"vmid\": 120}]}")
                .replace("\"4vcpu_8gb_32gb\"", "\"4 cores\""), "invalid preset");
    }

    private static void assertInvalid(String json, String message) {
        assertThatThrownBy(() -> TemplateCatalog.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining(message);
    }

    private static String catalog(String versions) {
        return """
                {"schemaVersion": 1, "presets": [{"provider": "pve-lxc", "presetId": "4vcpu_8gb_32gb", "label": "Mine",
                  "cpu": "4", "memory": "8", "disk": "32", "versions": [%s]}]}
                """.formatted(versions);
    }
}
