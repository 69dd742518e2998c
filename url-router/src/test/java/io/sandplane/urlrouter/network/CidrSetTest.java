package io.sandplane.urlrouter.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Networks as an operator writes them, and which addresses are in them: every edge, by the address's bytes. */
class CidrSetTest {

    @Test
    void anIpv4NetworkHoldsExactlyTheAddressesBetweenItsEdges() {
        CidrSet net = CidrSet.parse("10.10.0.0/24");
        assertIn(net, "10.10.0.0", "10.10.0.1", "10.10.0.128", "10.10.0.255");
        assertOut(net, "10.9.255.255", "10.10.1.0", "10.11.0.0", "0.0.0.0", "255.255.255.255", "fd00::a0a:1");
        CidrSet odd = CidrSet.parse("172.16.0.0/12");
        assertIn(odd, "172.16.0.0", "172.31.255.255", "172.20.1.2");
        assertOut(odd, "172.15.255.255", "172.32.0.0");
        CidrSet small = CidrSet.parse("192.168.7.8/30");
        assertIn(small, "192.168.7.8", "192.168.7.11");
        assertOut(small, "192.168.7.7", "192.168.7.12");
    }

    @Test
    void slash32AndABareAddressAreThatOneAddress() {
        for (String written : List.of("10.0.0.5/32", "10.0.0.5")) {
            CidrSet one = CidrSet.parse(written);
            assertIn(one, "10.0.0.5", "::ffff:10.0.0.5");
            assertOut(one, "10.0.0.4", "10.0.0.6", "::10.0.0.5");
        }
    }

    @Test
    void slash0IsEveryAddressOfItsFamilyOnly() {
        CidrSet all4 = CidrSet.parse("0.0.0.0/0");
        assertIn(all4, "0.0.0.0", "127.0.0.1", "255.255.255.255", "::ffff:10.0.0.1");
        assertOut(all4, "::", "::1", "fd00::1", "::10.0.0.1");
        CidrSet all6 = CidrSet.parse("::/0");
        assertIn(all6, "::", "::1", "fd00::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::10.0.0.1");
        // An IPv4-mapped address is an IPv4 address: only IPv4 networks hold it.
        assertOut(all6, "10.0.0.1", "::ffff:10.0.0.1", "0:0:0:0:0:ffff:a00:1");
    }

    @Test
    void anIpv6NetworkHoldsExactlyTheAddressesBetweenItsEdgesOnBothHalves() {
        CidrSet net = CidrSet.parse("fd00:10::/64");
        assertIn(net, "fd00:10::", "fd00:10::1", "fd00:10:0:0:ffff:ffff:ffff:ffff");
        assertOut(net, "fd00:f:ffff:ffff:ffff:ffff:ffff:ffff", "fd00:10:0:1::", "fd00:11::");
        CidrSet wide = CidrSet.parse("fd00::/8");
        assertIn(wide, "fd00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        assertOut(wide, "fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe00::");
        CidrSet deep = CidrSet.parse("2001:db8::100/120");
        assertIn(deep, "2001:db8::100", "2001:db8::1ff");
        assertOut(deep, "2001:db8::ff", "2001:db8::200");
        CidrSet odd = CidrSet.parse("2001:db8::/33");
        assertIn(odd, "2001:db8::", "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff");
        assertOut(odd, "2001:db8:8000::", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff");
    }

    @Test
    void slash128AndABareIpv6AddressAreThatOneAddress() {
        for (String written : List.of("fd00::5/128", "fd00::5", "FD00:0:0:0:0:0:0:0005")) {
            CidrSet one = CidrSet.parse(written);
            assertIn(one, "fd00::5", "fd00:0:0:0:0:0:0:5");
            assertOut(one, "fd00::4", "fd00::6", "fd00::5:0");
        }
    }

    @Test
    void anIpv4MappedNetworkIsTheIpv4NetworkItCarries() {
        Cidr mapped = Cidr.parse("::ffff:10.0.0.0/104");
        assertThat(mapped).isEqualTo(Cidr.parse("10.0.0.0/8"));
        assertThat(mapped.toString()).isEqualTo("10.0.0.0/8");
        assertThat(Cidr.parse("::ffff:0:0/96")).isEqualTo(Cidr.parse("0.0.0.0/0"));
        assertThat(Cidr.parse("::ffff:7f00:1/128")).isEqualTo(Cidr.parse("127.0.0.1/32"));
        assertIn(CidrSet.parse("::ffff:10.0.0.0/104"), "10.1.2.3", "::ffff:10.1.2.3");
    }

    @Test
    void aMappedAddressHeldAsAnIpv6ObjectIsStillJudgedAsIpv4() throws Exception {
        // InetAddress.getByAddress turns mapped bytes into an Inet4Address; Inet6Address.getByAddress does not, and a
        // resolver may hand over either.
        InetAddress mapped = Inet6Address.getByAddress(null, IpLiteral.bytes("::ffff:10.0.0.5"), -1);
        assertThat(mapped).isInstanceOf(Inet6Address.class);
        assertThat(CidrSet.parse("10.0.0.0/24").contains(mapped)).isTrue();
        assertThat(Cidr.parse("10.0.0.5").contains(mapped)).isTrue();
        assertThat(CidrSet.parse("::/0").contains(mapped)).isFalse();
        assertThat(Cidr.of(mapped)).isEqualTo(Cidr.parse("10.0.0.5/32"));
    }

    @Test
    void severalNetworksAndBothFamiliesInOneList() {
        CidrSet pool = CidrSet.parse(" 10.10.0.0/24 , fd00:10::/64,,192.168.5.7 ");
        assertThat(pool.cidrs()).hasSize(3);
        assertIn(pool, "10.10.0.9", "fd00:10::9", "192.168.5.7", "::ffff:192.168.5.7");
        assertOut(pool, "10.10.1.9", "fd00:11::9", "192.168.5.8");
        assertThat(pool.toString()).isEqualTo("10.10.0.0/24,fd00:10:0:0:0:0:0:0/64,192.168.5.7/32");
        assertThat(CidrSet.parse(" , ").isEmpty()).isTrue();
        assertThat(CidrSet.ofAddresses(List.of(address("10.0.0.5"), address("fe80::1"))).toString())
                .isEqualTo("10.0.0.5/32,fe80:0:0:0:0:0:0:1/128");
    }

    @Test
    void networksThatAreNotPlainlyWrittenAreRefusedWithTheReason() {
        assertRefused("10.0.0.1/8", "bits set after its prefix: did you mean 10.0.0.0/8?");
        assertRefused("fd00::1/64", "did you mean fd00:0:0:0:0:0:0:0/64?");
        assertRefused("0.0.0.1/0", "did you mean 0.0.0.0/0?");
        assertRefused("::ffff:0:0/95", "write IPv4 networks as IPv4");
        assertRefused("::ffff:10.0.0.0/8", "write IPv4 networks as IPv4");
        for (String prefix : List.of("10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/08", "10.0.0.0/", "10.0.0.0/8/8",
                "10.0.0.0/0x8", "10.0.0.0/ 8", "10.0.0.0/８", "fd00::/129", "fd00::/0128")) {
            assertRefused(prefix, "no valid prefix length");
        }
        for (String address : List.of("010.0.0.0/8", "10.0/16", "10.0.0/24", "167772160/8", "0x0a000000/8", "localhost/32",
                "10.0.0.0 /8", "[fd00::]/64", "fe80::%eth0/64", "/8", "10.0.0.0.0/8")) {
            assertRefused(address, "is not an IP network");
        }
    }

    private static void assertRefused(String text, String reason) {
        assertThatThrownBy(() -> CidrSet.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }

    static void assertIn(CidrSet set, String... addresses) {
        for (String a : addresses) {
            assertThat(set.contains(address(a))).as("%s in %s", a, set).isTrue();
            if (set.cidrs().size() == 1) {
                assertThat(set.cidrs().getFirst().contains(address(a))).as("%s in %s", a, set).isTrue();
            }
        }
    }

    static void assertOut(CidrSet set, String... addresses) {
        for (String a : addresses) {
            assertThat(set.contains(address(a))).as("%s not in %s", a, set).isFalse();
        }
    }

    /**
     * The address as the JDK reads a literal (it converts mapped addresses to IPv4 itself): the tests cover addresses
     * as the proxy meets them, from its parser or a resolver.
     */
    static InetAddress address(String literal) {
        try {
            return InetAddress.getByAddress(IpLiteral.bytes(literal));
        } catch (UnknownHostException | NullPointerException e) {
            throw new AssertionError("not a literal: " + literal, e);
        }
    }
}
