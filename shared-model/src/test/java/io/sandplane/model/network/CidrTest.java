package io.sandplane.model.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandplane.model.InvalidValueException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "10.0.0.0/8, 10.0.0.0/8",
            "203.0.113.0/24, 203.0.113.0/24",
            "203.0.113.7, 203.0.113.7/32",
            "0.0.0.0/0, 0.0.0.0/0",
            "255.255.255.255/32, 255.255.255.255/32",
            "0.0.0.0, 0.0.0.0/32",
            "2001:DB8::/32, 2001:db8::/32",
            "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1/128",
            "::/0, ::/0",
            "::1, ::1/128",
            "::, ::/128",
            "fe80::/10, fe80::/10",
            "1::, 1::/128",
            "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0/128",
            "64:ff9b::1.2.3.4, 64:ff9b::102:304/128",
            "1:0:0:1:0:0:0:1, 1:0:0:1::1/128",
            "1:0:0:1:1:0:0:1, 1::1:1:0:0:1/128",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1/128",
            "fd00:ec2::254/128, fd00:ec2::254/128" })
    void parsesWhatTheTextMeansAndSpellsItOneWay(String text, String canonical) {
        Cidr cidr = Cidr.parse("cidr", text);
        assertThat(cidr).hasToString(canonical);
        assertThat(Cidr.parse("cidr", canonical)).isEqualTo(cidr).hasSameHashCodeAs(cidr);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "10.0.0.1/8|has host bits set: the network is 10.0.0.0/8; a single host is 10.0.0.1/32",
            "2001:db8::1/32|the network is 2001:db8::/32",
            "010.0.0.1/32|leading zero",
            "10.0.0.00/32|leading zero",
            "10.0.0.0/33|longer than the 32 bits",
            "2001:db8::/129|longer than the 128 bits",
            "10.0.0.0/08|prefix length",
            "10.0.0.0/-1|prefix length",
            "10.0.0.0/|prefix length",
            "10.0.0.0/8/8|prefix length",
            "10.0.0.0/+8|prefix length",
            "256.0.0.0/8|four numbers 0-255",
            "10.0.0/8|four numbers 0-255",
            "10.0.0.0.0/8|four numbers 0-255",
            "1.2.3.4.|four numbers 0-255",
            "0x0a.0.0.0/8|not an IPv4 or IPv6 address",
            "10.0.0.0 /8|no spaces",
            "example.com|not an IPv4 or IPv6 address",
            "localhost|not an IPv4 or IPv6 address",
            "::ffff:10.0.0.1|IPv4-mapped IPv6, which IPv6 rules never match; write it as IPv4: 10.0.0.1/32",
            "::ffff:a00:1/128|write it as IPv4: 10.0.0.1/32",
            "::ffff:0:0/96|write it as IPv4: 0.0.0.0/0",
            "fe80::1%eth0|zone id",
            "1::2::3|'::' may appear only once",
            ":::|'::' may appear only once",
            ":1::|a group is empty",
            "1:2:3:4:5:6:7:8:|a group is empty",
            "12345::/16|'12345' is not 1-4 hex digits",
            "g::/16|'g' is not 1-4 hex digits",
            "1:2:3:4:5:6:7:8:9|eight groups",
            "1:2:3:4:5:6:7|eight groups",
            "1:2:3:4:5:6:7:8::|eight groups",
            "1.2.3.4::|'1.2.3.4' is not 1-4 hex digits",
            "fd00::1/64|has host bits set: the network is fd00::/64",
            "0.0.0.1/0|the network is 0.0.0.0/0",
            // A mapped network is refused whatever its prefix. The url-router's configuration used to take one of /96 or
            // longer as the IPv4 network it carries (::ffff:10.0.0.0/104 as 10.0.0.0/8); it now refuses it at start-up.
            "::ffff:10.0.0.0/104|write it as IPv4: 10.0.0.0/8",
            "::ffff:7f00:1/128|write it as IPv4: 127.0.0.1/32",
            "::ffff:0:0/95|has host bits set: the network is ::fffe:0:0/95",
            "::ffff:10.0.0.0/8|has host bits set",
            "10.0.0.0/0x8|prefix length",
            "10.0.0.0/ 8|no spaces",
            "10.0.0.0/\uff18|no spaces",
            "fd00::/0128|prefix length",
            "010.0.0.0/8|leading zero",
            "10.0/16|four numbers 0-255",
            "167772160/8|four numbers 0-255",
            "/8|four numbers 0-255",
            "0x0a000000/8|not an IPv4 or IPv6 address",
            "localhost/32|not an IPv4 or IPv6 address",
            "[fd00::]/64|'[fd00' is not 1-4 hex digits",
            "fe80::%eth0/64|zone id" })
    void refusesWhatIsNotExactlyOneNetworkSayingWhy(String text, String why) {
        assertThatThrownBy(() -> Cidr.parse("network.allow[2].cidr", text))
                .isInstanceOfSatisfying(InvalidValueException.class,
                        e -> assertThat(e.field()).isEqualTo("network.allow[2].cidr"))
                .hasMessageContaining(why);
    }

    @Test
    void refusesEmptyOverlongAndNonAsciiText() {
        assertThatThrownBy(() -> Cidr.parse("cidr", null)).hasMessageContaining("is required");
        assertThatThrownBy(() -> Cidr.parse("cidr", "")).hasMessageContaining("is required");
        assertThatThrownBy(() -> Cidr.parse("cidr", "1".repeat(65))).hasMessageContaining("too long");
        assertThatThrownBy(() -> Cidr.parse("cidr", " 10.0.0.0/8")).hasMessageContaining("no spaces");
        assertThatThrownBy(() -> Cidr.parse("cidr", "10.0.0.0/8\n")).hasMessageContaining("no spaces");
        // Arabic-Indic digits are digits to Character.isDigit, not to a firewall.
        assertThatThrownBy(() -> Cidr.parse("cidr", "\u0661\u0660.0.0.0/8")).hasMessageContaining("no spaces");
    }

    @Test
    void containsAndOverlapsWithinOneFamilyOnly() {
        Cidr ten = Cidr.parse("c", "10.0.0.0/8");
        Cidr tenOne = Cidr.parse("c", "10.1.0.0/16");
        assertThat(ten.contains(tenOne)).isTrue();
        assertThat(tenOne.contains(ten)).isFalse();
        assertThat(tenOne.overlaps(ten)).isTrue();
        assertThat(ten.contains(ten)).isTrue();
        assertThat(ten.overlaps(Cidr.parse("c", "11.0.0.0/8"))).isFalse();
        assertThat(Cidr.parse("c", "0.0.0.0/0").contains(Cidr.parse("c", "255.255.255.255"))).isTrue();
        assertThat(Cidr.parse("c", "::/0").contains(Cidr.parse("c", "fc00::/7"))).isTrue();
        assertThat(Cidr.parse("c", "::/0").overlaps(ten)).isFalse();
        // Prefixes across the two 64-bit halves of an IPv6 address.
        Cidr sixtyFour = Cidr.parse("c", "2001:db8:1:2::/64");
        assertThat(sixtyFour.contains(Cidr.parse("c", "2001:db8:1:2:ffff::/80"))).isTrue();
        assertThat(sixtyFour.contains(Cidr.parse("c", "2001:db8:1:3::/80"))).isFalse();
        assertThat(Cidr.parse("c", "2001:db8:1:2::/63").contains(Cidr.parse("c", "2001:db8:1:3::/64"))).isTrue();
        assertThat(Cidr.parse("c", "2001:db8::/63").contains(sixtyFour)).isFalse();
    }

    @Test
    void givesTheAddressWithoutALookup() {
        Cidr v4 = Cidr.parse("c", "192.168.0.0/16");
        assertThat(v4.family()).isEqualTo(Cidr.Family.IPV4);
        assertThat(v4.prefix()).isEqualTo(16);
        assertThat(v4.address().getHostAddress()).isEqualTo("192.168.0.0");
        Cidr v6 = Cidr.parse("c", "fd00:ec2::254/128");
        assertThat(v6.address()).isInstanceOf(Inet6Address.class);
        assertThat(v6.addressBytes()).hasSize(16).startsWith((byte) 0xfd, (byte) 0x00, (byte) 0x0e, (byte) 0xc2);
    }

    @Test
    void isJsonTextInItsCanonicalSpelling() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(json.writeValueAsString(Cidr.parse("c", "2001:DB8:0::/32"))).isEqualTo("\"2001:db8::/32\"");
        assertThat(json.readValue("\"10.0.0.0/8\"", Cidr.class)).isEqualTo(Cidr.parse("c", "10.0.0.0/8"));
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "10.0.0.5, 10.0.0.5",
            "0.0.0.0, 0.0.0.0",
            "255.255.255.255, 255.255.255.255",
            "127.0.0.1, 127.0.0.1",
            "::, ::",
            "::1, ::1",
            "fd00:10::5, fd00:10::5",
            "FD00:10::5, fd00:10::5",
            "fd00:0010:0000:0000:0000:0000:0000:0005, fd00:10::5",
            "2001:db8:1:2:3:4:5:6, 2001:db8:1:2:3:4:5:6",
            "1::, 1::",
            "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
            "::2:3:4:5:6:7:8, 0:2:3:4:5:6:7:8",
            // IPv4-compatible (deprecated) and NAT64 addresses stay IPv6: no kernel routes them to the IPv4 host.
            "::10.0.0.5, ::a00:5",
            "64:ff9b::10.0.0.5, 64:ff9b::a00:5",
            "::fffe:7f00:1, ::fffe:7f00:1" })
    void anAddressIsTheOneAddressItSpells(String text, String address) throws Exception {
        InetAddress parsed = Cidr.parseAddress(text).orElseThrow(() -> new AssertionError(text));
        assertThat(parsed).isEqualTo(literal(address)).isInstanceOf(text.contains(":") ? Inet6Address.class : Inet4Address.class);
    }

    @Test
    void everyOtherTextIsNoAddressAndIsNeverLookedUp() {
        List<String> notAddresses = List.of(
                // Ambiguous IPv4: octal, hexadecimal, short forms, one big number, leading zeros.
                "010.0.0.1", "0177.0.0.1", "127.000.000.001", "127.0.0.01", "00.0.0.0", "0x7f.0.0.1", "0x7f000001",
                "127.1", "127.0.1", "2130706433", "017700000001",
                // Out of range, too many or too few parts, signs, empty parts, a prefix or a port.
                "256.0.0.1", "1.2.3.256", "1.2.3.4.5", "1.2.3", "1.2..3", ".1.2.3.4", "1.2.3.4.", "+1.2.3.4", "-1.2.3.4",
                "1.2.3.-4", "1.2.3.4/32", "1.2.3.4:80",
                // Whitespace, other digits, names.
                " 10.0.0.5", "10.0.0.5 ", "10.0.0.5\n", "1\u00a00.0.0.5", "\uff11\uff10.0.0.5", "\u0661\u0660.0.0.5",
                "localhost", "guest.lan", "", "10.0.0.5.nip.io",
                // IPv6: zones, brackets, too many or too few groups, two gaps, long groups, stray colons, bad IPv4 tails.
                "fe80::1%eth0", "fe80::1%1", "[::1]", "[fd00::5]", ":::", "::1::", "1::2::3", "1:2:3:4:5:6:7:8:9",
                "1:2:3:4:5:6:7", "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::", "12345::", "fd00::g", ":1::", "1::2:", "1:",
                ":1", "::ffff:127.1", "::ffff:0177.0.0.1", "::ffff:127.0.0.01", "::ffff:1.2.3.4.5", "::1.2.3.4:5",
                "1:2:3:4:5:6:7:1.2.3.4", "::ffff:7f00:1 ", "::ffff:7f00:1/128", "0:0:0:0:0:ffff:7f00:1:",
                // IPv4-mapped text, refused as a network is. The url-router's own parser used to read it as the IPv4
                // address it carries; a sandbox whose address is recorded so is now not routed (failing closed).
                "::ffff:127.0.0.1", "::FFFF:127.0.0.1", "::ffff:7f00:1", "0:0:0:0:0:ffff:7f00:1",
                "0000:0000:0000:0000:0000:ffff:7f00:0001", "0:0:0:0:0:ffff:127.0.0.1", "::ffff:7f00:0001");
        for (String text : notAddresses) {
            assertThat(Cidr.parseAddress(text)).as("'%s'", text).isEmpty();
        }
        assertThat(Cidr.parseAddress(null)).isEmpty();
    }

    @Test
    void anIpv4NetworkHoldsExactlyTheAddressesBetweenItsEdges() {
        assertIn("10.10.0.0/24", "10.10.0.0", "10.10.0.1", "10.10.0.128", "10.10.0.255");
        assertOut("10.10.0.0/24", "10.9.255.255", "10.10.1.0", "10.11.0.0", "0.0.0.0", "255.255.255.255", "fd00::a0a:1");
        assertIn("172.16.0.0/12", "172.16.0.0", "172.31.255.255", "172.20.1.2");
        assertOut("172.16.0.0/12", "172.15.255.255", "172.32.0.0");
        assertIn("192.168.7.8/30", "192.168.7.8", "192.168.7.11");
        assertOut("192.168.7.8/30", "192.168.7.7", "192.168.7.12");
    }

    @Test
    void slash32AndABareAddressAreThatOneAddress() {
        for (String written : List.of("10.0.0.5/32", "10.0.0.5")) {
            assertIn(written, "10.0.0.5", "::ffff:10.0.0.5");
            assertOut(written, "10.0.0.4", "10.0.0.6", "::10.0.0.5");
        }
    }

    @Test
    void slash0IsEveryAddressOfItsFamilyOnly() {
        assertIn("0.0.0.0/0", "0.0.0.0", "127.0.0.1", "255.255.255.255", "::ffff:10.0.0.1");
        assertOut("0.0.0.0/0", "::", "::1", "fd00::1", "::10.0.0.1");
        assertIn("::/0", "::", "::1", "fd00::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::10.0.0.1");
        // An IPv4-mapped address is an IPv4 address: only IPv4 networks hold it.
        assertOut("::/0", "10.0.0.1", "::ffff:10.0.0.1", "0:0:0:0:0:ffff:a00:1");
    }

    @Test
    void anIpv6NetworkHoldsExactlyTheAddressesBetweenItsEdgesOnBothHalves() {
        assertIn("fd00:10::/64", "fd00:10::", "fd00:10::1", "fd00:10:0:0:ffff:ffff:ffff:ffff");
        assertOut("fd00:10::/64", "fd00:f:ffff:ffff:ffff:ffff:ffff:ffff", "fd00:10:0:1::", "fd00:11::");
        assertIn("fd00::/8", "fd00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        assertOut("fd00::/8", "fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe00::");
        assertIn("2001:db8::100/120", "2001:db8::100", "2001:db8::1ff");
        assertOut("2001:db8::100/120", "2001:db8::ff", "2001:db8::200");
        assertIn("2001:db8::/33", "2001:db8::", "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff");
        assertOut("2001:db8::/33", "2001:db8:8000::", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff");
    }

    @Test
    void slash128AndABareIpv6AddressAreThatOneAddress() {
        for (String written : List.of("fd00::5/128", "fd00::5", "FD00:0:0:0:0:0:0:0005")) {
            assertIn(written, "fd00::5", "fd00:0:0:0:0:0:0:5");
            assertOut(written, "fd00::4", "fd00::6", "fd00::5:0");
        }
    }

    @Test
    void anAddressIsItsOwnNetworkByItsBytes() throws Exception {
        assertThat(Cidr.host(literal("10.0.0.5"))).hasToString("10.0.0.5/32");
        assertThat(Cidr.host(literal("fe80::1"))).hasToString("fe80::1/128");
        // A zone names an interface of this host; which address it is lies in the bytes alone.
        assertThat(Cidr.host(Inet6Address.getByAddress(null, literal("fe80::1").getAddress(), 2))).hasToString("fe80::1/128");
    }

    @Test
    void aMappedAddressHeldAsAnIpv6ObjectIsStillJudgedAsIpv4() throws Exception {
        // InetAddress.getByAddress turns mapped bytes into an Inet4Address; Inet6Address.getByAddress does not, and a
        // resolver may hand over either.
        byte[] bytes = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 5 };
        InetAddress mapped = Inet6Address.getByAddress(null, bytes, -1);
        assertThat(mapped).isInstanceOf(Inet6Address.class);
        assertThat(Cidr.parse("c", "10.0.0.0/24").contains(mapped)).isTrue();
        assertThat(Cidr.parse("c", "10.0.0.5").contains(mapped)).isTrue();
        assertThat(Cidr.parse("c", "::/0").contains(mapped)).isFalse();
        assertThat(Cidr.host(mapped)).isEqualTo(Cidr.parse("c", "10.0.0.5/32"));
    }

    @Test
    void aSettingIsACommaSeparatedListOfNetworksInTheOrderWritten() {
        List<Cidr> pool = Cidr.parseList("PVE_IP_POOL_CIDR", " 10.10.0.0/24 , fd00:10::/64,,192.168.5.7 ,10.10.0.0/24");
        assertThat(pool).extracting(Cidr::toString).containsExactly("10.10.0.0/24", "fd00:10::/64", "192.168.5.7/32");
        Map.of("10.10.0.9", true, "fd00:10::9", true, "192.168.5.7", true, "::ffff:192.168.5.7", true,
                "10.10.1.9", false, "fd00:11::9", false, "192.168.5.8", false)
                .forEach((address, in) -> assertThat(pool.stream().anyMatch(network -> network.contains(literal(address))))
                        .as(address).isEqualTo(in));
        assertThat(Cidr.parseList("PVE_IP_POOL_CIDR", " , ")).isEmpty();
        assertThat(Cidr.parseList("PVE_IP_POOL_CIDR", "")).isEmpty();
        assertThat(Cidr.parseList("PVE_IP_POOL_CIDR", null)).isEmpty();
    }

    @Test
    void aSettingWithAnEntryThatIsNoNetworkIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> Cidr.parseList("SANDPLANE_CONTROL_PLANE_CIDRS", "10.10.0.1, pve1.lan"))
                .isInstanceOfSatisfying(InvalidValueException.class,
                        e -> assertThat(e.field()).isEqualTo("SANDPLANE_CONTROL_PLANE_CIDRS"))
                .hasMessage("SANDPLANE_CONTROL_PLANE_CIDRS: 'pve1.lan' is not an IPv4 or IPv6 address (names are not accepted)");
        assertThatThrownBy(() -> Cidr.parseList("PVE_IP_POOL_CIDR", "10.10.0.1/16"))
                .hasMessageStartingWith("PVE_IP_POOL_CIDR: '10.10.0.1/16' has host bits set: the network is 10.10.0.0/16");
    }

    private static void assertIn(String network, String... addresses) {
        Cidr cidr = Cidr.parse("c", network);
        for (String a : addresses) {
            assertThat(cidr.contains(literal(a))).as("%s in %s", a, network).isTrue();
        }
    }

    private static void assertOut(String network, String... addresses) {
        Cidr cidr = Cidr.parse("c", network);
        for (String a : addresses) {
            assertThat(cidr.contains(literal(a))).as("%s not in %s", a, network).isFalse();
        }
    }

    /**
     * The address as the JDK reads a literal (no lookup for one; it turns mapped text into IPv4 itself): addresses as
     * sockets and resolvers hand them over, not as {@link Cidr#parseAddress} reads text.
     */
    private static InetAddress literal(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new AssertionError("not a literal: " + text, e);
        }
    }
}
