package io.sandplane.model.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandplane.model.InvalidValueException;
import io.sandplane.model.catalog.PresetId;
import io.sandplane.model.provider.Provider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import io.sandplane.model.entity.Template;
import org.junit.jupiter.api.Test;

class SnapshotIdTest {

    @Test
    void parsesTheUnifiedFormat() {
        assertThat(SnapshotId.parse("pvelxc_4vcpu_6gb_32gb_v1"))
                .isEqualTo(new SnapshotId.Unified(Provider.PVE_LXC, PresetId.of("4vcpu_6gb_32gb"), 1));
        assertThat(SnapshotId.parse("morph_4vcpu_16gb_48gb_v74"))
                .isEqualTo(new SnapshotId.Unified(Provider.MORPH, PresetId.of("4vcpu_16gb_48gb"), 74));
        assertThat(SnapshotId.parse("pvevm_8vcpu_32gb_48gb_v3"))
                .isEqualTo(new SnapshotId.Unified(Provider.PVE_VM, PresetId.of("8vcpu_32gb_48gb"), 3));
    }

    @Test
    void parsesTheLegacyFormatAsPveLxcWithATemplateVmid() {
        SnapshotId id = SnapshotId.parse("pve_4vcpu_8gb_32gb_9105");
        assertThat(id).isEqualTo(new SnapshotId.Legacy(PresetId.of("4vcpu_8gb_32gb"), 9105));
        assertThat(((SnapshotId.Legacy) id).provider()).isEqualTo(Provider.PVE_LXC);
    }

    @Test
    void parsesTheCatalogFormat() {
        assertThat(SnapshotId.parse("snapshot_d038629a")).isEqualTo(new SnapshotId.Catalog("snapshot_d038629a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pvelxc_4vcpu_6gb_32gb_v1", "morph_4vcpu_8gb_32gb_v15", "pve_4vcpu_8gb_32gb_100",
        "pve_6vcpu_8gb_40gb_999999999", "snapshot_a", "snapshot_fac99d43", "pvevm_a_b_c_v999999999"})
    void formattingRoundTrips(String raw) {
        assertThat(SnapshotId.parse(raw).format()).isEqualTo(raw);
    }

    @ParameterizedTest
    @NullAndEmptySource
    void emptyIsRejected(String raw) {
        assertThatThrownBy(() -> SnapshotId.parse(raw))
                .isInstanceOf(InvalidValueException.class)
                .hasMessage("snapshotId is required")
                .extracting(e -> ((InvalidValueException) e).field()).isEqualTo("snapshotId");
    }

    @Test
    void oversizedIsRejectedWithoutEchoingIt() {
        String huge = "snapshot_" + "a".repeat(10_000);
        assertThatThrownBy(() -> SnapshotId.parse(huge))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("at most 128")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "garbage", "snapshot_", "snapshot_ABC", "Snapshot_abc", "snapshot_abc ", " snapshot_abc", "snapshot_a-b",
        "snapshot_a\u0000", "snapshot_ä", "pvelxc_4vcpu_6gb_32gb", "pvelxc_4vcpu_6gb_32gb_v0", "pvelxc_4vcpu_6gb_32gb_v01",
        "pvelxc_4vcpu_6gb_32gb_v-1", "pvelxc_4vcpu_6gb_32gb_v9999999999", "pvelxc_4vcpu_6gb_v1", "pvelxc_4vcpu_6gb_32gb_1tb_v1",
        "docker_4vcpu_6gb_32gb_v1", "PVELXC_4vcpu_6gb_32gb_v1", "pve_4vcpu_8gb_32gb_99", "pve_4vcpu_8gb_32gb_0100",
        "pve_4vcpu_8gb_32gb_1000000000", "pve_4vcpu_8gb_32gb", "pve_lxc_9000", "9000", "pvelxc-abc", "../etc/passwd",
        "snapshot_abc;drop table", "pvelxc__6gb_32gb_v1"})
    void garbageIsRejectedWithAClearMessage(String raw) {
        assertThatThrownBy(() -> SnapshotId.parse(raw))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("snapshot")
                .extracting(e -> ((InvalidValueException) e).field()).isEqualTo("snapshotId");
    }

    @Test
    void controlCharactersAreEscapedInTheMessage() {
        assertThatThrownBy(() -> SnapshotId.parse("bad\u0007id\nx"))
                .hasMessageContaining("bad\\u0007id\\u000ax");
    }

    @Test
    void anIdNamesTheTemplateRowsThatHoldItWhicheverFormItIsIn() {
        Template copy = template(io.sandplane.model.provider.Provider.PVE_LXC, "4vcpu_6gb_32gb", 2, "snapshot_abc123", 9012);
        assertThat(SnapshotId.parse("snapshot_abc123").names(copy)).isTrue();
        assertThat(SnapshotId.parse("snapshot_abc124").names(copy)).isFalse();
        assertThat(SnapshotId.parse("pvelxc_4vcpu_6gb_32gb_v2").names(copy)).isTrue();
        assertThat(SnapshotId.parse("pvelxc_4vcpu_6gb_32gb_v1").names(copy)).as("another version").isFalse();
        assertThat(SnapshotId.parse("pvevm_4vcpu_6gb_32gb_v2").names(copy)).as("another provider").isFalse();
        assertThat(SnapshotId.parse("pvelxc_2vcpu_6gb_32gb_v2").names(copy)).as("another preset").isFalse();
        assertThat(SnapshotId.parse("pve_4vcpu_6gb_32gb_9012").names(copy)).isTrue();
        assertThat(SnapshotId.parse("pve_4vcpu_6gb_32gb_9013").names(copy)).as("another copy's VMID").isFalse();
        assertThat(SnapshotId.parse("pve_2vcpu_6gb_32gb_9012").names(copy)).as("another preset").isFalse();
        Template vm = template(io.sandplane.model.provider.Provider.PVE_VM, "4vcpu_6gb_32gb", 2, "snapshot_vm1", 9012);
        assertThat(SnapshotId.parse("pve_4vcpu_6gb_32gb_9012").names(vm)).as("legacy ids are pve-lxc's").isFalse();
    }

    private static Template template(io.sandplane.model.provider.Provider provider, String preset, int version,
            String snapshotId, int vmid) {
        Template t = new Template();
        t.provider = provider;
        t.presetId = preset;
        t.version = version;
        t.snapshotId = snapshotId;
        t.templateVmid = vmid;
        return t;
    }
}
