package io.sandplane.provisioner.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UpidTest {

    @Test
    void readsNodeTypeAndIdOfATokenTask() {
        Upid upid = Upid.parse("UPID:proxmox2:000D7AA2:08D5A17C:63DF62A5:vzclone:200:root@pam!api_token:");
        assertThat(upid.node()).isEqualTo("proxmox2");
        assertThat(upid.type()).isEqualTo("vzclone");
        assertThat(upid.id()).isEqualTo("200");
        assertThat(upid.value()).endsWith(":");
    }

    @Test
    void acceptsANineDigitPstart() {
        assertThat(Upid.parse("UPID:pve1:0000ABCD:1A2B3C4D5:63DF62A5:vzstart:1234:root@pam:").node()).isEqualTo("pve1");
    }

    @Test
    void rejectsWhatIsNotATaskId() {
        assertThatThrownBy(() -> Upid.parse(null)).isInstanceOf(PvePermanentException.class);
        assertThatThrownBy(() -> Upid.parse("UPID:pve1:0000ABCD"))
                .isInstanceOf(PvePermanentException.class)
                .hasMessageContaining("not a task id");
    }
}
