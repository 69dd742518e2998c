package io.sandplane.provisioner.provider.pve;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class GuestMarksTest {

    private static final String ID = "sbx_abcdefghijklmnopqrst";

    @Test
    void tagsAreWhatPveReadsBack() {
        assertThat(GuestMarks.tags(ID, "acme")).isEqualTo("sandplane;" + ID + ";team-acme");
    }

    @Test
    void theDescriptionNamesSandboxTeamAndCreationTime() {
        String text = GuestMarks.description(ID, "acme", Instant.parse("2026-11-02T10:15:30.123Z"));
        assertThat(text).contains(ID).contains("team acme").contains("created 2026-11-02T10:15:30Z");
        assertThat(GuestMarks.hostname(1234)).isEqualTo("cmux-1234");
    }

    @Test
    void aGuestIsOwnedByItsTagsOrItsCloneDescription() {
        assertThat(GuestMarks.ownedBy(ID, "sandplane;" + ID + ";team-acme", null)).isTrue();
        assertThat(GuestMarks.ownedBy(ID, null, GuestMarks.cloneDescription(ID) + "\n")).isTrue();
        assertThat(GuestMarks.ownedBy(ID, "sandplane;sbx_zzzzzzzzzzzzzzzzzzzz", "someone else's")).isFalse();
        assertThat(GuestMarks.ownedBy(ID, null, null)).isFalse();
        assertThat(GuestMarks.taggedFor(ID, GuestMarks.tags(ID, "acme"))).isTrue();
        // The sandbox tag alone, without 'sandplane', is not Sandplane's mark.
        assertThat(GuestMarks.taggedFor(ID, ID)).isFalse();
    }

    @Test
    void theBridgeIsSetWithoutLosingTheRestOfNet0() {
        assertThat(GuestMarks.withNet("name=eth0,bridge=vmbr1,hwaddr=BC:24:11:00:00:01,ip=dhcp,tag=5", "vmbr0", false))
                .isEqualTo("name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp,tag=5");
        assertThat(GuestMarks.withNet("name=eth0,bridge=vmbr0,ip=dhcp", "vmbr0", false)).isNull();
        assertThat(GuestMarks.withNet("name=eth0,ip=dhcp", "vmbr0", false)).isEqualTo("name=eth0,ip=dhcp,bridge=vmbr0");
        assertThat(GuestMarks.withNet(null, "vmbr2", true)).isNull();
    }

    @Test
    void theNicIsPutBehindTheFirewallWhenItIsEnforced() {
        assertThat(GuestMarks.withNet("name=eth0,bridge=vmbr0,ip=dhcp", "vmbr0", true))
                .isEqualTo("name=eth0,bridge=vmbr0,ip=dhcp,firewall=1");
        assertThat(GuestMarks.withNet("name=eth0,bridge=vmbr0,firewall=0,ip=dhcp", "vmbr0", true))
                .isEqualTo("name=eth0,bridge=vmbr0,firewall=1,ip=dhcp");
        assertThat(GuestMarks.withNet("name=eth0,bridge=vmbr0,firewall=1,ip=dhcp", "vmbr0", true)).isNull();
        // Off: the template's flag is left as the operator set it.
        assertThat(GuestMarks.withNet("name=eth0,bridge=vmbr0,firewall=0", "vmbr0", false)).isNull();
        assertThat(GuestMarks.withFirewall("name=eth0,bridge=vmbr3,firewall=0,tag=5")).isEqualTo(
                "name=eth0,bridge=vmbr3,tag=5,firewall=1");
        assertThat(GuestMarks.withFirewall("name=eth0,bridge=vmbr3,firewall=1")).isNull();
        assertThat(GuestMarks.firewallOn("name=eth0,firewall=on")).isTrue();
        assertThat(GuestMarks.firewallOn("name=eth0,firewall=0")).isFalse();
        assertThat(GuestMarks.firewallOn(null)).isFalse();
    }
}
