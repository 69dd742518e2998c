package io.sandplane.provisioner.provider.pve;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandplane.provisioner.client.PveTypes;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressTest {

    @Test
    void takesTheFirstIpv4OfANonLoopbackInterface() {
        List<PveTypes.NetInterface> nics = List.of(
                new PveTypes.NetInterface("lo", "127.0.0.1/8", List.of(new PveTypes.IpAddress("127.0.0.1", "inet", 8))),
                new PveTypes.NetInterface("eth0", null, List.of(
                        new PveTypes.IpAddress("fe80::1", "inet6", 64),
                        new PveTypes.IpAddress("10.0.0.7", "inet", 24))));
        assertThat(PveLxcProvider.firstIpv4(nics)).isEqualTo("10.0.0.7");
    }

    @Test
    void fallsBackToTheInetFieldAndSkipsLinkLocal() {
        assertThat(PveLxcProvider.firstIpv4(List.of(new PveTypes.NetInterface("eth0", "169.254.3.4/16", null),
                new PveTypes.NetInterface("eth1", "192.168.1.20/24", null)))).isEqualTo("192.168.1.20");
    }

    @Test
    void noAddressYetIsNull() {
        assertThat(PveLxcProvider.firstIpv4(List.of())).isNull();
        assertThat(PveLxcProvider.firstIpv4(List.of(new PveTypes.NetInterface("eth0", null, List.of())))).isNull();
    }
}
