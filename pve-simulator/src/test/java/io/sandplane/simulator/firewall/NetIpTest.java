package io.sandplane.simulator.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Net::IP's reading of rule addresses, checked against what Perl's Net::IP 1.26 (the version PVE 9
 * ships) answered for the same input: the range, or the exact error text PVE passes on.
 */
class NetIpTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.0.0.1|4|10.0.0.1|10.0.0.1",
            "1.2.3|4|1.2.3.0|1.2.3.0",
            "10.0.0.0/8|4|10.0.0.0|10.255.255.255",
            "10.0.0.1-10.0.0.5|4|10.0.0.1|10.0.0.5",
            "1.2.3.4 + 5|4|1.2.3.4|1.2.3.9",
            "0/0|4|0.0.0.0|255.255.255.255",
            "10.0.0.0/8,/9|4|10.0.0.0|11.127.255.255",
    })
    void acceptsWhatNetIpAccepts(String input, int version, String first, String last) {
        NetIp.Parsed parsed = NetIp.parse(input);
        assertThat(parsed.error()).isNull();
        assertThat(parsed.range().version()).isEqualTo(version);
        assertThat(parsed.range().firstV4()).isEqualTo(NetIp.v4(first));
        assertThat(parsed.range().lastV4()).isEqualTo(NetIp.v4(last));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.0.0.1/8|Invalid prefix 00001010000000000000000000000001/8",
            "10.0.0.0/33|Prefix length 33 is longer than IP address (32)",
            "300.1.1.1|Invalid quad in IP address 300.1.1.1 - 300",
            "foo|Invalid chars in IP foo",
            "10.0.0.5-10.0.0.1|Begin address is greater than End address 10.0.0.5 - 10.0.0.1",
            "1.2.3.4.5|Invalid IP address 1.2.3.4.5",
            ".1.2.3|Invalid IP .1.2.3 - starts with a dot",
            "1.2.3.|Invalid IP 1.2.3. - ends with a dot",
            "1..2.3|Empty quad in IP address 1..2.3",
            "fe80::1/64|Invalid prefix 11111110100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001/64",
            ":1::|Invalid address :1:: (starts with :)",
            "1::2::3|Invalid address 1::2::3 (More than one :: pattern)",
            "1:2:3:4:5:6:7|Invalid number of octets 1:2:3:4:5:6:7",
            "g::1|Invalid IP address g::1",
            "10.0.0.1-fe80::1|Not a valid IPv4 address fe80::1",
    })
    void refusesWithNetIpsWords(String input, String error) {
        assertThat(NetIp.parse(input).error()).isEqualTo(error);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.1.2.3/8|10.0.0.0/8",
            "10.1.2.3|10.1.2.3",
            "10.0.0.0/0|10.0.0.0/0",
            "fe80::1:5/112|fe80::1:0/112",
            "2001:db8:0:0:1:0:0:1/128|2001:db8::1:0:0:1/128",
    })
    void cleansNetworksAsPveDoes(String input, String clean) {
        assertThat(NetIp.cleanCidr(input)).isEqualTo(clean);
    }
}
