package io.sandplane.model.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandplane.model.InvalidValueException;
import java.net.Inet6Address;
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
            "1.2.3.4::|'1.2.3.4' is not 1-4 hex digits" })
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
}
