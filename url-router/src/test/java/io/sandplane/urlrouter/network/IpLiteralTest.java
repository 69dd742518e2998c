package io.sandplane.urlrouter.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The spellings of an address: which name exactly one address (and which), and which are no address at all. */
class IpLiteralTest {

    @Test
    void plainAddressesAreTheAddressesTheySpell() throws Exception {
        Map<String, String> spelt = Map.ofEntries(
                Map.entry("10.0.0.5", "10.0.0.5"),
                Map.entry("0.0.0.0", "0.0.0.0"),
                Map.entry("255.255.255.255", "255.255.255.255"),
                Map.entry("127.0.0.1", "127.0.0.1"),
                Map.entry("::", "::"),
                Map.entry("::1", "::1"),
                Map.entry("fd00:10::5", "fd00:10::5"),
                Map.entry("FD00:10::5", "fd00:10::5"),
                Map.entry("fd00:0010:0000:0000:0000:0000:0000:0005", "fd00:10::5"),
                Map.entry("2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6"),
                Map.entry("1::", "1::"),
                Map.entry("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
                Map.entry("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
                // IPv4-compatible (deprecated) stays IPv6: no kernel routes it to the IPv4 host.
                Map.entry("::10.0.0.5", "::a00:5"),
                Map.entry("64:ff9b::10.0.0.5", "64:ff9b::a00:5"));
        for (Map.Entry<String, String> e : spelt.entrySet()) {
            InetAddress address = IpLiteral.parse(e.getKey()).orElseThrow(() -> new AssertionError(e.getKey()));
            assertThat(address).as(e.getKey()).isEqualTo(InetAddress.getByName(e.getValue()));
        }
    }

    @Test
    void anIpv4MappedAddressIsTheIpv4AddressItCarriesHoweverItIsSpelt() {
        for (String mapped : List.of("::ffff:127.0.0.1", "::FFFF:127.0.0.1", "::ffff:7f00:1", "0:0:0:0:0:ffff:7f00:1",
                "0000:0000:0000:0000:0000:ffff:7f00:0001", "0:0:0:0:0:ffff:127.0.0.1", "::ffff:7f00:0001")) {
            assertThat(IpLiteral.parse(mapped)).as(mapped).get().isInstanceOf(Inet4Address.class)
                    .extracting(InetAddress::getHostAddress).isEqualTo("127.0.0.1");
        }
        assertThat(IpLiteral.parse("::fffe:7f00:1")).get().isInstanceOf(Inet6Address.class);
    }

    @Test
    void everyOtherSpellingIsNoAddressAndIsNeverLookedUp() {
        List<String> notAddresses = List.of(
                // Ambiguous IPv4: octal, hexadecimal, short forms, one big number, leading zeros.
                "010.0.0.1", "0177.0.0.1", "127.000.000.001", "127.0.0.01", "00.0.0.0", "0x7f.0.0.1", "0x7f000001",
                "127.1", "127.0.1", "2130706433", "017700000001",
                // Out of range, too many or too few parts, signs, empty parts.
                "256.0.0.1", "1.2.3.256", "1.2.3.4.5", "1.2.3", "1.2..3", ".1.2.3.4", "1.2.3.4.", "+1.2.3.4", "-1.2.3.4",
                "1.2.3.-4", "1.2.3.4/32", "1.2.3.4:80",
                // Whitespace, other digits, names.
                " 10.0.0.5", "10.0.0.5 ", "10.0.0.5\n", "1\u00a00.0.0.5", "１０.0.0.5", "١٠.0.0.5", "localhost", "guest.lan", "",
                "10.0.0.5.nip.io",
                // IPv6: zones, brackets, too many or too few groups, two gaps, long groups, stray colons, bad IPv4 tails.
                "fe80::1%eth0", "fe80::1%1", "[::1]", "[fd00::5]", ":::", "::1::", "1::2::3", "1:2:3:4:5:6:7:8:9",
                "1:2:3:4:5:6:7", "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::", "12345::", "fd00::g", ":1::", "1::2:", "1:",
                ":1", "::ffff:127.1", "::ffff:0177.0.0.1", "::ffff:127.0.0.01", "::ffff:1.2.3.4.5", "::1.2.3.4:5",
                "1:2:3:4:5:6:7:1.2.3.4", "::ffff:7f00:1 ", "::ffff:7f00:1/128", "0:0:0:0:0:ffff:7f00:1:");
        for (String text : notAddresses) {
            assertThat(IpLiteral.parse(text)).as("'%s'", text).isEmpty();
        }
        assertThat(IpLiteral.parse(null)).isEmpty();
    }
}
