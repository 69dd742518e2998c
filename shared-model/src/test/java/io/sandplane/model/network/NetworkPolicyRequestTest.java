package io.sandplane.model.network;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A start's {@code network} member, read as the API reads it (JSON into the request record), then checked. */
class NetworkPolicyRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The policy, and the (field, message) pairs reported. */
    record Checked(Optional<NetworkPolicy> policy, Map<String, String> errors) {
    }

    static Checked check(String json) {
        try {
            Map<String, String> errors = new java.util.LinkedHashMap<>();
            Optional<NetworkPolicy> policy = JSON.readValue(json, NetworkPolicyRequest.class)
                    .check("network", errors::put);
            return new Checked(policy, errors);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }

    private static NetworkPolicy valid(String json) {
        Checked c = check(json);
        assertThat(c.errors()).as(json).isEmpty();
        return c.policy().orElseThrow();
    }

    @Test
    void modesWithoutAListAndAllowListsWithDefaults() {
        assertThat(valid("{\"egress\":\"deny-private\"}")).isEqualTo(NetworkPolicy.DEFAULT);
        assertThat(valid("{\"egress\":\"open\"}")).isEqualTo(new NetworkPolicy(EgressMode.OPEN, List.of()));
        assertThat(valid("{\"egress\":\"deny-private\",\"allow\":null}")).isEqualTo(NetworkPolicy.DEFAULT);
        assertThat(valid("{\"egress\":\"allow-list\",\"allow\":[]}").allow()).isEmpty();
        NetworkPolicy list = valid("""
                {"egress":"allow-list","allow":[
                  {"cidr":"203.0.113.0/24"},
                  {"cidr":"2001:DB8::/32","protocol":"udp","ports":"53"},
                  {"cidr":"198.51.100.7","protocol":"any"},
                  {"cidr":"192.0.2.0/24","protocol":"tcp","ports":"80,443,8000-9000"}]}""");
        assertThat(list.egress()).isEqualTo(EgressMode.ALLOW_LIST);
        assertThat(list.allow()).containsExactly(
                new EgressRule(Cidr.parse("c", "203.0.113.0/24"), Protocol.TCP, null),
                new EgressRule(Cidr.parse("c", "2001:db8::/32"), Protocol.UDP, Ports.parse("p", "53")),
                new EgressRule(Cidr.parse("c", "198.51.100.7/32"), Protocol.ANY, null),
                new EgressRule(Cidr.parse("c", "192.0.2.0/24"), Protocol.TCP, Ports.parse("p", "80,443,8000-9000")));
        assertThat(list.allow().getFirst().allPorts()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no egress|{}|network.egress",
            "egress null|{\"egress\":null}|network.egress",
            "egress unknown|{\"egress\":\"closed\"}|network.egress",
            "egress upper-case|{\"egress\":\"DENY-PRIVATE\"}|network.egress",
            "egress with underscore|{\"egress\":\"deny_private\"}|network.egress",
            "egress empty|{\"egress\":\"\"}|network.egress",
            "allow with deny-private|{\"egress\":\"deny-private\",\"allow\":[]}|network.allow",
            "allow with open|{\"egress\":\"open\",\"allow\":[{\"cidr\":\"10.0.0.0/8\"}]}|network.allow",
            "allow-list without allow|{\"egress\":\"allow-list\"}|network.allow",
            "entry null|{\"egress\":\"allow-list\",\"allow\":[null]}|network.allow[0]",
            "entry without cidr|{\"egress\":\"allow-list\",\"allow\":[{\"ports\":\"443\"}]}|network.allow[0].cidr",
            "cidr empty|{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"\"}]}|network.allow[0].cidr",
            "cidr host bits|{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"1.1.1.1/32\"},{\"cidr\":\"10.0.0.1/8\"}]}|network.allow[1].cidr",
            "cidr /33|{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"1.2.3.4/33\"}]}|network.allow[0].cidr",
            "cidr leading zeros|{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"01.2.3.4\"}]}|network.allow[0].cidr",
            "cidr IPv4-mapped|{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"::ffff:1.2.3.4\"}]}|network.allow[0].cidr",
            "cidr garbage|{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"<script>\"}]}|network.allow[0].cidr",
            "cidr a name|{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"github.com\"}]}|network.allow[0].cidr",
            "protocol upper-case|{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"1.2.3.4\",\"protocol\":\"TCP\"}]}|network.allow[0].protocol",
            "protocol icmp|{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"1.2.3.4\",\"protocol\":\"icmp\"}]}|network.allow[0].protocol",
            "ports with any|{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"1.2.3.4\",\"protocol\":\"any\",\"ports\":\"80\"}]}|network.allow[0].ports",
            "ports zero|{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"1.2.3.4\",\"ports\":\"0\"}]}|network.allow[0].ports",
            "ports descending|{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"1.2.3.4\",\"ports\":\"9000-8000\"}]}|network.allow[0].ports",
            "ports empty|{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"1.2.3.4\",\"ports\":\"\"}]}|network.allow[0].ports" })
    void everyBadValueIsReportedUnderItsPath(String name, String json, String field) {
        Checked c = check(json);
        assertThat(c.policy()).as(name).isEmpty();
        assertThat(c.errors()).as(name).containsKey(field);
        assertThat(c.errors().get(field)).as(name).isNotBlank();
    }

    @Test
    void everyProblemOfOneRequestIsReportedAtOnce() {
        Checked c = check("""
                {"egress":"allow-list","allow":[{"cidr":"10.0.0.1/8","protocol":"sctp","ports":"0"},{"cidr":"1.2.3.4"},null]}""");
        assertThat(c.errors()).containsOnlyKeys("network.allow[0].cidr", "network.allow[0].protocol",
                "network.allow[0].ports", "network.allow[2]");
    }

    @Test
    void atMostSixtyFourEntries() {
        List<String> entries = new ArrayList<>(Collections.nCopies(NetworkPolicy.MAX_ALLOW_RULES, "{\"cidr\":\"1.2.3.4\"}"));
        String json = "{\"egress\":\"allow-list\",\"allow\":[%s]}";
        assertThat(valid(json.formatted(String.join(",", entries))).allow()).hasSize(64);
        entries.add("{\"cidr\":\"1.2.3.4\"}");
        assertThat(check(json.formatted(String.join(",", entries))).errors())
                .containsEntry("network.allow", "at most 64 entries are allowed, got 65");
    }

    @Test
    void reachingPrivateAddressesNeedsThePermissionOfOpen() {
        assertThat(NetworkPolicy.DEFAULT.permissionsNeeded()).containsExactly(EgressMode.DENY_PRIVATE);
        assertThat(valid("{\"egress\":\"open\"}").permissionsNeeded()).containsExactly(EgressMode.OPEN);
        assertThat(valid("{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"203.0.113.0/24\"}]}").permissionsNeeded())
                .containsExactly(EgressMode.ALLOW_LIST);
        for (String cidr : List.of("10.0.0.0/8", "0.0.0.0/0", "::/0", "169.254.169.254", "fd00::/8")) {
            assertThat(valid("{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"8.8.8.8\"},{\"cidr\":\"" + cidr + "\"}]}")
                    .permissionsNeeded()).as(cidr).containsExactly(EgressMode.OPEN, EgressMode.ALLOW_LIST);
        }
    }

    @Test
    void aRefusalSaysWhatIsNotAllowedAndWhatIs() {
        Set<EgressMode> usual = TeamNetwork.DEFAULT_ALLOWED;
        assertThat(valid("{\"egress\":\"open\"}").refusal("network", usual)).hasValueSatisfying(why -> assertThat(why)
                .contains("egress open is not allowed").contains("may use deny-private, allow-list"));
        NetworkPolicy lan = valid("""
                {"egress":"allow-list","allow":[{"cidr":"8.8.8.8"},{"cidr":"192.168.0.0/16","ports":"22"}]}""");
        assertThat(lan.refusal("network", usual)).hasValueSatisfying(why -> assertThat(why)
                .startsWith("network.allow[1] 192.168.0.0/16 reaches 192.168.0.0/16: ").contains("need egress open"));
        assertThat(lan.refusal("network", EnumSet.allOf(EgressMode.class))).isEmpty();
        assertThat(NetworkPolicy.DEFAULT.refusal("network", usual)).isEmpty();
        assertThat(NetworkPolicy.DEFAULT.refusal("network", EnumSet.of(EgressMode.ALLOW_LIST))).isPresent();
    }

    @Test
    void storedAndShownAsTheRequestShapeInCanonicalSpelling() throws Exception {
        NetworkPolicy policy = valid("""
                {"egress":"allow-list","allow":[{"cidr":"2001:DB8:0::/32","ports":"443"},{"cidr":"1.2.3.4","protocol":"any"}]}""");
        String json = JSON.writeValueAsString(policy);
        assertThat(json).isEqualTo("{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"2001:db8::/32\",\"protocol\":\"tcp\","
                + "\"ports\":\"443\"},{\"cidr\":\"1.2.3.4/32\",\"protocol\":\"any\"}]}");
        assertThat(JSON.readValue(json, NetworkPolicy.class)).isEqualTo(policy);
        // What a client sends back unchanged is the same policy.
        assertThat(valid(json)).isEqualTo(policy);
        assertThat(JSON.writeValueAsString(NetworkPolicy.DEFAULT)).isEqualTo("{\"egress\":\"deny-private\",\"allow\":[]}");
    }
}
