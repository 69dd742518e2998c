package io.sandplane.model.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandplane.model.InvalidValueException;
import org.junit.jupiter.api.Test;

class ProviderTest {

    @Test
    void capabilitiesAreThoseOfCmux() {
        assertThat(Provider.PVE_LXC.capabilities()).isEqualTo(new Capabilities(false, true, true, false, false));
        assertThat(Provider.PVE_VM.capabilities()).isEqualTo(new Capabilities(true, true, true, true, true));
        assertThat(Provider.MORPH.capabilities()).isEqualTo(new Capabilities(true, true, false, false, false));
    }

    @Test
    void namesRoundTrip() {
        for (Provider p : Provider.values()) {
            assertThat(Provider.fromId(p.id())).isEqualTo(p);
            assertThat(Provider.fromSnapshotToken(p.snapshotToken())).isEqualTo(p);
        }
        assertThat(Provider.PVE_LXC.displayName()).isEqualTo("Proxmox LXC");
        assertThatThrownBy(() -> Provider.fromId("docker")).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("pve-lxc, pve-vm, morph");
    }
}
