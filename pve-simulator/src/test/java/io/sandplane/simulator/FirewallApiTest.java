package io.sandplane.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PVE's firewall endpoints over HTTP: answers, digests and errors as pve-firewall gives them, and
 * what its config files make of what is written (names lower-cased, rules without enable disabled,
 * new rules first, entries normalized and sorted).
 */
@QuarkusTest
class FirewallApiTest {

    private static final String EMPTY_DIGEST = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
    private static final String MODIFIED = "detected modified configuration - file changed by other user? Try again.\n";
    private static final String CT = "/nodes/pve1/lxc/9001/firewall";

    @BeforeEach
    void reset() {
        Pve.reset();
    }

    private static void error(Response r, int status, String message) {
        r.then().statusCode(status).body("message", equalTo(message));
    }

    private static void paramError(Response r, String param, String message) {
        r.then().statusCode(400).body("message", equalTo("Parameter verification failed.\n"))
                .body("errors." + param, equalTo(message + "\n"));
    }

    private static String digest(String path) {
        return Pve.api().get(path).then().statusCode(200).extract().path("data.digest");
    }

    @Test
    void datacenterOptionsWithTheirDigest() {
        // the default scenario turns the datacenter firewall on
        Pve.api().get("/cluster/firewall/options").then().statusCode(200)
                .body("data.enable", equalTo(1)).body("data.digest", equalTo("bb9ed91416c7ca9fe0bdb701360217e37ab4497f"));
        error(Pve.put("/cluster/firewall/options", "policy_in", "DROP", "digest", EMPTY_DIGEST), 500, MODIFIED);
        Pve.put("/cluster/firewall/options", "policy_in", "DROP", "digest", digest("/cluster/firewall/options"))
                .then().statusCode(200).body("data", nullValue());
        paramError(Pve.put("/cluster/firewall/options", "delete", "enable,nosuch"), "delete", "no such option 'nosuch'");
        Pve.api().get("/cluster/firewall/options").then().body("data.enable", equalTo(1));
        Pve.put("/cluster/firewall/options", "delete", "enable").then().statusCode(200);
        Pve.api().get("/cluster/firewall/options").then().body("data.enable", nullValue())
                .body("data.policy_in", equalTo("DROP"));
        paramError(Pve.put("/cluster/firewall/options", "policy_forward", "REJECT"), "policy_forward",
                "value 'REJECT' does not have a value in the enumeration 'ACCEPT, DROP'");
        // enable > 1 is the GUI's first step: the time it was set, which counts for a minute
        long before = System.currentTimeMillis() / 1000;
        Pve.put("/cluster/firewall/options", "enable", 2).then().statusCode(200);
        long enable = Pve.api().get("/cluster/firewall/options").then().extract().<Number>path("data.enable").longValue();
        assertThat(enable).isBetween(before, System.currentTimeMillis() / 1000);
    }

    @Test
    void guestOptionsAreProxiedToTheNodeAndTyped() {
        Pve.api().get(CT + "/options").then().statusCode(200).body("data", equalTo(Map.of("digest", EMPTY_DIGEST)));
        Pve.put(CT + "/options", "enable", 1, "ipfilter", 1, "dhcp", 1, "policy_in", "DROP", "log_level_in", "info")
                .then().statusCode(200);
        Pve.api().get(CT + "/options").then().statusCode(200)
                .body("data.enable", equalTo(1)).body("data.ipfilter", equalTo(1)).body("data.dhcp", equalTo(1))
                .body("data.policy_in", equalTo("DROP")).body("data.log_level_in", equalTo("info"));
        paramError(Pve.put(CT + "/options", "delete", "ips"), "delete", "no such option 'ips'");
        error(Pve.put(CT + "/options", "enable", 0, "digest", EMPTY_DIGEST), 500, MODIFIED);
        Pve.put(CT + "/options", "delete", "ipfilter,dhcp").then().statusCode(200);
        Pve.api().get(CT + "/options").then().body("data.ipfilter", nullValue()).body("data.enable", equalTo(1));
        error(Pve.api().get("/nodes/nosuch/lxc/9001/firewall/options"), 500,
                "hostname lookup 'nosuch' failed - failed to get address info for: nosuch: Name or service not known\n");
        // rules are not proxied: PVE checks neither the node nor that the guest exists
        Pve.api().get("/nodes/nosuch/lxc/123456/firewall/rules").then().statusCode(200).body("data", hasSize(0));
    }

    @Test
    void rulesGoFirstAndAreDisabledUnlessEnabled() {
        Pve.post(CT + "/rules", "type", "in", "action", "ACCEPT", "source", "10.0.0.0/8", "proto", "tcp", "dport", "22")
                .then().statusCode(200).body("data", nullValue());
        // 'pos' is accepted and ignored: a new rule always goes to position 0
        Pve.post(CT + "/rules", "type", "in", "action", "DROP", "macro", "http", "enable", 1, "pos", 5,
                "comment", "  web  ").then().statusCode(200);
        Response list = Pve.api().get(CT + "/rules");
        list.then().statusCode(200).body("data", hasSize(2))
                .body("data[0].pos", equalTo(0)).body("data[0].macro", equalTo("HTTP")).body("data[0].enable", equalTo(1))
                .body("data[0].comment", equalTo("web"))
                .body("data[1].pos", equalTo(1)).body("data[1].enable", equalTo(0)).body("data[1].ipversion", equalTo(4))
                .body("data[1].dport", equalTo("22")).body("data[1].source", equalTo("10.0.0.0/8"));
        String digest = list.path("data[0].digest");
        assertThat(list.<List<String>>path("data.digest")).containsOnly(digest);
        // one rule: the path's position comes back as PVE echoes it, a string
        Pve.api().get(CT + "/rules/1").then().statusCode(200).body("data.pos", equalTo("1"))
                .body("data.digest", equalTo(digest)).body("data.type", equalTo("in"));
        error(Pve.api().get(CT + "/rules/2"), 500, "no rule at position 2\n");

        // update: moves, property deletions, the digest
        error(Pve.put(CT + "/rules/1", "enable", 1, "digest", EMPTY_DIGEST), 500, MODIFIED);
        Pve.put(CT + "/rules/1", "enable", 1, "comment", "ssh", "digest", digest).then().statusCode(200);
        Pve.put(CT + "/rules/0", "moveto", 5).then().statusCode(200);
        Pve.api().get(CT + "/rules").then().body("data.comment", equalTo(List.of("ssh", "web")));
        Pve.put(CT + "/rules/0", "delete", "dport,comment", "source", "").then().statusCode(200);
        Pve.api().get(CT + "/rules/0").then().body("data.dport", nullValue()).body("data.comment", nullValue())
                .body("data.source", nullValue()).body("data.ipversion", nullValue()).body("data.proto", equalTo("tcp"));
        paramError(Pve.put(CT + "/rules/0", "delete", "type"), "delete", "unable to delete required property 'type'");
        paramError(Pve.put(CT + "/rules/0", "delete", "bogus"), "delete", "no such property ('bogus')");
        error(Pve.delete(CT + "/rules/2"), 500, "no rule at position 2\n");
        error(Pve.delete(CT + "/rules/0", "digest", EMPTY_DIGEST), 500, MODIFIED);
        Pve.delete(CT + "/rules/0").then().statusCode(200);
        Pve.delete(CT + "/rules/0").then().statusCode(200);
        Pve.api().get(CT + "/rules").then().body("data", hasSize(0));
    }

    @Test
    void aGuestWithoutFirewallConfigFailsUpdatesAsPerlDoes() {
        Pve.api().get("/nodes/pve1/lxc/9002/firewall/rules").then().statusCode(200).body("data", hasSize(0));
        error(Pve.api().get("/nodes/pve1/lxc/9002/firewall/rules/0"), 500, "no rule at position 0\n");
        error(Pve.put("/nodes/pve1/lxc/9002/firewall/rules/0", "enable", 1), 500,
                "Can't use an undefined value as an ARRAY reference at /usr/share/perl5/PVE/API2/Firewall/Rules.pm line 373.\n");
        error(Pve.delete("/nodes/pve1/lxc/9002/firewall/rules/0"), 500,
                "Can't use an undefined value as an ARRAY reference at /usr/share/perl5/PVE/API2/Firewall/Rules.pm line 462.\n");
        // once the file exists (here for an option), the list is there and only empty
        Pve.put("/nodes/pve1/lxc/9002/firewall/options", "enable", 0).then().statusCode(200);
        error(Pve.put("/nodes/pve1/lxc/9002/firewall/rules/0", "enable", 1), 500, "no rule at position 0\n");
    }

    @Test
    void rulesAreVerifiedAsPveVerifiesThem() {
        String rules = CT + "/rules";
        paramError(Pve.post(rules, "type", "in", "action", "sandbox"), "action", "unknown action 'sandbox'");
        paramError(Pve.post(rules, "type", "forward", "action", "ACCEPT"), "type", "invalid rule type 'forward' for rule_env 'ct'");
        paramError(Pve.post("/nodes/pve1/qemu/9999/firewall/rules", "type", "forward", "action", "ACCEPT"), "type",
                "invalid rule type 'forward' for rule_env 'vm'");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "dport", "80"), "proto",
                "missing property - 'dport' requires this property");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "proto", "47", "dport", "80"), "dport",
                "protocol '47' does not support ports");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "source", "+nosuch"), "source", "no such ipset 'nosuch'");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "source", "+dc/1bad"), "source", "invalid ipset name '+dc/1bad'");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "source", "router"), "source", "no such alias 'router'");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "macro", "nosuch"), "macro", "unknown macro 'nosuch'");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "macro", "SSH", "proto", "udp"), "proto",
                "parameter 'proto' already define in macro (value = 'tcp')");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "iface", "eth0"), "iface",
                "value does not match the regex pattern 'net\\d+'");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "source", "10.0.0.1", "dest", "fe80::1"), "dest",
                "detected mixed ipv4/ipv6 addresses in rule");
        // the schema's formats, with PVE's (and Net::IP's) texts
        paramError(Pve.post(rules, "type", "bogus", "action", "ACCEPT"), "type",
                "value 'bogus' does not have a value in the enumeration 'in, out, forward, group'");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "proto", "tcp", "dport", "80:70"), "dport",
                "invalid format - backwards range '80:70' not allowed, did you mean '70:80'?");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "proto", "tcp", "dport", "80,"), "dport",
                "invalid format - extraneous commas in list");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "proto", "tcp", "dport", "1,2,3,4,5,6,7,8,9,10:20,30:40,50:60,70"),
                "dport", "invalid format - too many entries in port list (> 15 numbers)");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "proto", "tcp", "dport", "nosuchservice"), "dport",
                "invalid format - invalid port 'nosuchservice'");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "proto", "bogus"), "proto", "invalid format - unknown protocol 'bogus'");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "source", "10.0.0.1/8"), "source",
                "invalid format - invalid IP address: Invalid prefix 00001010000000000000000000000001/8");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "source", "10.0.0.1,10.0.0.2-10.0.0.9"), "source",
                "invalid format - you can't use a range in a list");
        paramError(Pve.post(rules, "type", "in", "action", "ACCEPT", "iface", "x"), "iface",
                "invalid format - invalid network interface name 'x'");
        // a raw '+' in a form body is a space: IP set references must be sent as %2B
        Pve.api().contentType("application/x-www-form-urlencoded").body("type=in&action=ACCEPT&source=+dc/routers")
                .post(rules).then().statusCode(400)
                .body("errors.source", equalTo("invalid format - invalid IP address: Invalid chars in IP  dc/routers\n"));
        // what PVE accepts: service names, ranges, a range of addresses, Net::IP's short forms
        Pve.post(rules, "type", "in", "action", "ACCEPT", "proto", "tcp", "dport", "ssh,8000:8080", "source",
                "10.0.0.1-10.0.0.9", "enable", 1).then().statusCode(200);
        Pve.post(rules, "type", "in", "action", "ACCEPT", "source", "10.1.2", "iface", "net0").then().statusCode(200);
        Pve.api().get(rules).then().body("data", hasSize(2)).body("data[0].source", equalTo("10.1.2"))
                .body("data[0].iface", equalTo("net0"));
    }

    @Test
    void ipsetsAndTheirEntries() {
        String sets = "/cluster/firewall/ipset";
        Pve.post(sets, "name", "Web", "comment", "front").then().statusCode(200);
        // PVE reads set names back lower-cased: the set is "web" from now on
        Pve.api().get(sets).then().body("data", hasSize(1)).body("data[0].name", equalTo("web"))
                .body("data[0].comment", equalTo("front"));
        error(Pve.api().get(sets + "/Web"), 500, "no such IPSet 'Web'\n");
        paramError(Pve.post(sets, "name", "web"), "name", "IPSet 'web' already exists");
        paramError(Pve.post(sets, "name", "1web"), "name", "value does not match the regex pattern");
        paramError(Pve.post(sets, "name", "web2", "rename", "nosuch"), "name", "IPSet 'nosuch' does not exist");
        error(Pve.post(sets, "name", "web2", "rename", "web", "digest", EMPTY_DIGEST), 500, MODIFIED);
        Pve.post(sets, "name", "web2", "rename", "web").then().statusCode(200);
        Pve.post(sets, "name", "other").then().statusCode(200);
        paramError(Pve.post(sets, "name", "other", "rename", "web2"), "name", "IPSet 'other' does already exist");

        String set = sets + "/web2";
        Pve.post(set, "cidr", "192.168.7.9/32", "comment", "one").then().statusCode(200);
        // the host bits of a network are cleared, /32 dropped: the entry is named as stored
        Pve.post(set, "cidr", "10.1.2.3/8", "nomatch", 1).then().statusCode(200);
        paramError(Pve.post(set, "cidr", "10.9.9.9/8"), "cidr", "address '10.0.0.0/8' already exists");
        paramError(Pve.post(set, "cidr", "0.0.0.0/0"), "cidr", "a zero prefix is not allowed in ipset entries");
        paramError(Pve.post(set, "cidr", "10.0.0.0/33"), "cidr", "invalid format - Prefix length 33 is longer than IP address (32)");
        paramError(Pve.post(set, "cidr", "10.0.0.1-10.0.0.2"), "cidr",
                "invalid format - value does not look like a valid IP address or CIDR network");
        error(Pve.post(set, "cidr", "dc/router"), 500, "no such alias 'router'\n");
        Response entries = Pve.api().get(set);
        entries.then().statusCode(200).body("data.cidr", equalTo(List.of("10.0.0.0/8", "192.168.7.9")))
                .body("data[0].nomatch", equalTo(1)).body("data[1].comment", equalTo("one"));
        String digest = entries.path("data[0].digest");
        // the entry's name has a slash: it takes the rest of the path, plain or %-encoded
        Pve.api().get(set + "/10.0.0.0/8").then().statusCode(200).body("data.nomatch", equalTo(1))
                .body("data.digest", equalTo(digest));
        Pve.api().urlEncodingEnabled(false).get(set + "/10.0.0.0%2F8").then().statusCode(200).body("data.cidr", equalTo("10.0.0.0/8"));
        paramError(Pve.api().get(set + "/192.168.7.9/32"), "cidr", "no such IP/Network");
        // an update sets both fields: what it leaves out is cleared
        error(Pve.put(set + "/192.168.7.9", "nomatch", 1, "digest", EMPTY_DIGEST), 500, MODIFIED);
        Pve.put(set + "/192.168.7.9", "nomatch", 1, "digest", digest).then().statusCode(200);
        Pve.api().get(set + "/192.168.7.9").then().body("data.nomatch", equalTo(1)).body("data.comment", nullValue());
        paramError(Pve.put(set + "/192.168.7.10", "comment", "x"), "cidr", "no such IP/Network");
        // removing what is not there is fine
        Pve.delete(set + "/172.16.0.0/12").then().statusCode(200);
        error(Pve.delete(set), 500, "IPSet 'web2' is not empty\n");
        Pve.delete(set, "force", 1).then().statusCode(200);
        error(Pve.api().get(set), 500, "no such IPSet 'web2'\n");
        Pve.api().get(sets).then().body("data.name", equalTo(List.of("other")));
    }

    @Test
    void guestIpsetsAndRulesThatReferenceThem() {
        Pve.post(CT + "/ipset", "name", "peers").then().statusCode(200);
        Pve.post(CT + "/ipset/peers", "cidr", "fe80::1:0/112").then().statusCode(200);
        Pve.api().get(CT + "/ipset/peers").then().body("data[0].cidr", equalTo("fe80::1:0/112"));
        Pve.post(CT + "/rules", "type", "in", "action", "ACCEPT", "source", "+guest/peers").then().statusCode(200);
        // a datacenter rule env cannot see a guest's set
        Pve.post("/cluster/firewall/groups", "group", "g1").then().statusCode(200);
        paramError(Pve.post("/cluster/firewall/groups/g1", "type", "in", "action", "ACCEPT", "source", "+peers"),
                "source", "no such ipset 'peers'");
        Pve.api().get(CT + "/ipset").then().body("data.name", equalTo(List.of("peers")))
                .body("data[0].digest", not(equalTo(EMPTY_DIGEST)));
    }

    @Test
    void securityGroups() {
        String groups = "/cluster/firewall/groups";
        Pve.post(groups, "group", "Sandbox-In", "comment", "inbound").then().statusCode(200);
        Pve.api().get(groups).then().body("data[0].group", equalTo("sandbox-in")).body("data[0].comment", equalTo("inbound"));
        paramError(Pve.post(groups, "group", "sandbox-in"), "group", "Security group 'sandbox-in' already exists");
        paramError(Pve.post(groups, "group", "a-very-long-group-n"), "group", "value may only be 18 characters long");
        paramError(Pve.post(groups + "/sandbox-in", "type", "group", "action", "other"), "type",
                "invalid rule type 'group' for rule_env 'group'");
        paramError(Pve.post(groups + "/sandbox-in", "type", "in", "action", "ACCEPT", "iface", "net0"), "type",
                "parameter -i not allowed for this rule type");
        Pve.post(groups + "/sandbox-in", "type", "in", "action", "ACCEPT", "proto", "tcp", "dport", "39375", "enable", 1)
                .then().statusCode(200);
        Pve.api().get(groups + "/sandbox-in").then().body("data", hasSize(1)).body("data[0].pos", equalTo(0));
        Pve.api().get(groups + "/sandbox-in/0").then().body("data.dport", equalTo("39375"));
        error(Pve.api().get(groups + "/nosuch"), 500, "no such security group 'nosuch'\n");

        // a guest rule names the group; renaming the group renames it there too
        Pve.post(CT + "/rules", "type", "group", "action", "sandbox-in", "enable", 1).then().statusCode(200);
        Pve.post(groups, "group", "sandbox", "rename", "sandbox-in").then().statusCode(200);
        Pve.api().get(groups).then().body("data.group", equalTo(List.of("sandbox"))).body("data[0].comment", equalTo("inbound"));
        Pve.api().get(CT + "/rules/0").then().body("data.action", equalTo("sandbox"));

        error(Pve.delete(groups + "/sandbox"), 500, "Security group 'sandbox' is not empty\n");
        Pve.delete(groups + "/sandbox/0").then().statusCode(200);
        Pve.delete(groups + "/sandbox").then().statusCode(200);
        Pve.api().get(groups).then().body("data", hasSize(0));
    }

    @Test
    void aFailedCloneLeavesNoFirewallAndAVanishedGuestLeavesItsOwn() {
        Pve.zeroLatencies();
        Pve.put(CT + "/options", "enable", 1).then().statusCode(200);
        Pve.fault("{\"method\":\"POST\",\"path\":\"/nodes/pve1/lxc/9001/clone\",\"kind\":\"task\","
                + "\"exitstatus\":\"clone failed: boom\",\"count\":1}");
        assertThat(Pve.cloneAndWait("pve1", 9001, 330, "failing")).isEqualTo("clone failed: boom");
        Pve.api().get("/nodes/pve1/lxc/330/firewall/options").then().body("data", equalTo(Map.of("digest", EMPTY_DIGEST)));
        assertThat(Pve.cloneAndWait("pve1", 9001, 331, "kept")).isEqualTo("OK");
        Pve.api().get("/nodes/pve1/lxc/331/firewall/options").then().body("data.enable", equalTo(1));
        // a guest gone from under PVE (not destroyed) leaves its file behind
        io.restassured.RestAssured.given().delete("/_sim/guests/331").then().statusCode(204);
        Pve.api().get("/nodes/pve1/lxc/331/firewall/options").then().body("data.enable", equalTo(1));
    }

    @Test
    void aScenarioSetsTheDatacenterFirewall() {
        String scenario = Pve.api().basePath("").get("/_sim/scenario").then().statusCode(200).extract().asString();
        String withFirewall = scenario.replaceFirst("\"firewall\"\\s*:\\s*\\{.*}\\s*}\\s*$",
                "\"firewall\":{\"options\":{\"enable\":1,\"policy_in\":\"DROP\"},"
                        + "\"ipsets\":[{\"name\":\"routers\",\"comment\":\"r\",\"entries\":[{\"cidr\":\"127.0.0.1\"},"
                        + "{\"cidr\":\"10.0.0.0/8\",\"nomatch\":true}]}],"
                        + "\"groups\":[{\"group\":\"sandbox\",\"rules\":[{\"type\":\"in\",\"action\":\"ACCEPT\","
                        + "\"source\":\"+routers\",\"proto\":\"tcp\",\"dport\":39375}]}]}}");
        io.restassured.RestAssured.given().contentType("application/json").body(withFirewall).post("/_sim/scenario")
                .then().statusCode(200);
        Pve.api().get("/cluster/firewall/options").then().body("data.policy_in", equalTo("DROP"));
        Pve.api().get("/cluster/firewall/ipset/routers").then().body("data.cidr", equalTo(List.of("10.0.0.0/8", "127.0.0.1")));
        // a scenario's rule is enabled unless it says otherwise, as a line of the file is
        Pve.api().get("/cluster/firewall/groups/sandbox/0").then().body("data.enable", equalTo(1))
                .body("data.source", equalTo("+routers"));
        String bad = withFirewall.replace("\"dport\":39375", "\"dport\":\"70000\"");
        io.restassured.RestAssured.given().contentType("application/json").body(bad).post("/_sim/scenario")
                .then().statusCode(400);
        // the cluster stayed as it was
        Pve.api().get("/cluster/firewall/groups/sandbox/0").then().statusCode(200);
    }
}
