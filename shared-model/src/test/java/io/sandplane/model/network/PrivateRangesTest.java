package io.sandplane.model.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PrivateRangesTest {

    @ParameterizedTest(name = "{0} reaches {1}")
    @CsvSource({
            "10.1.2.3, 10.0.0.0/8",
            "172.31.255.255, 172.16.0.0/12",
            "192.168.1.0/24, 192.168.0.0/16",
            "100.100.100.200, 100.64.0.0/10",
            "169.254.169.254, 169.254.0.0/16",
            "168.63.129.16, 168.63.129.16/32",
            "127.0.0.1, 127.0.0.0/8",
            "0.0.0.0, 0.0.0.0/8",
            "239.255.255.250, 224.0.0.0/4",
            "255.255.255.255, 240.0.0.0/4",
            "fd00:ec2::254, fc00::/7",
            "fe80::1, fe80::/10",
            "::1, ::1/128",
            "2002:a00::/24, 2002::/16",
            "64:ff9b:1::a00:1, 64:ff9b:1::/48",
            "ff02::1, ff00::/8" })
    void privateLinkLocalCgnatAndMetadataAddressesAreReached(String destination, String range) {
        assertThat(PrivateRanges.reachedBy(Cidr.parse("d", destination))).containsExactly(Cidr.parse("r", range));
    }

    @ParameterizedTest
    @ValueSource(strings = { "8.8.8.8", "203.0.113.0/24", "1.0.0.0/8", "100.63.255.255", "100.128.0.0/9", "11.0.0.0/8",
            "2606:4700::/32", "2001:db8::/32", "64:ff9b::/96", "2a00:1450:4001::/48" })
    void publicDestinationsReachNone(String destination) {
        assertThat(PrivateRanges.reachedBy(Cidr.parse("d", destination))).isEmpty();
    }

    @Test
    void theWholeInternetReachesEveryRangeOfItsFamily() {
        assertThat(PrivateRanges.reachedBy(Cidr.parse("d", "0.0.0.0/0"))).isEqualTo(PrivateRanges.IPV4);
        assertThat(PrivateRanges.reachedBy(Cidr.parse("d", "::/0"))).isEqualTo(PrivateRanges.IPV6);
        assertThat(PrivateRanges.ALL).hasSize(PrivateRanges.IPV4.size() + PrivateRanges.IPV6.size());
    }

    @Test
    void aSupernetOfARangeReachesIt() {
        assertThat(PrivateRanges.reachedBy(Cidr.parse("d", "8.0.0.0/6"))).isEqualTo(List.of(Cidr.parse("r", "10.0.0.0/8")));
    }
}
