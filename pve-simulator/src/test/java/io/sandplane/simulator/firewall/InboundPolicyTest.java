package io.sandplane.simulator.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandplane.simulator.guest.Verdict;
import org.junit.jupiter.api.Test;

/**
 * The inbound policy compiled from firewall files written as PVE writes them: what iptables would do
 * with a new TCP connection, for the parts of a config the API tests cannot reach on the guests'
 * ports (macros, source ports, ranges, timestamps, scopes).
 */
class InboundPolicyTest {

    private static final String NET0 = "name=eth0,bridge=vmbr0,ip=dhcp,firewall=1";
    private static final long GUEST = NetIp.v4("10.0.0.5");
    private static final long NOW = System.currentTimeMillis() / 1000;

    private static InboundPolicy policy(String cluster, String guest) {
        FirewallConfig clusterConf = FirewallFiles.readCluster(cluster, NOW);
        return InboundPolicy.compile(clusterConf, FirewallFiles.readGuest(guest, clusterConf, RuleVerifier.Env.CT), NET0);
    }

    private static Verdict decide(InboundPolicy policy, String source, int sourcePort, int port) {
        return policy.decide(NetIp.v4(source), sourcePort, GUEST, port);
    }

    @Test
    void aMacroExpandsToItsPorts() {
        InboundPolicy p = policy("[OPTIONS]\n\nenable: 1\n", """
                [OPTIONS]

                enable: 1

                [RULES]

                IN HTTPS(ACCEPT) -source 192.0.2.0/24
                IN Ceph(REJECT)
                """);
        assertThat(decide(p, "192.0.2.7", 40000, 443)).isEqualTo(Verdict.ACCEPT);
        assertThat(decide(p, "198.51.100.1", 40000, 443)).isEqualTo(Verdict.DROP);
        assertThat(decide(p, "198.51.100.1", 40000, 6900)).isEqualTo(Verdict.REJECT);
        assertThat(decide(p, "198.51.100.1", 40000, 3300)).isEqualTo(Verdict.REJECT);
    }

    @Test
    void sourcePortsRangesAndDestinationsMatter() {
        InboundPolicy p = policy("[OPTIONS]\n\nenable: 1\n", """
                [OPTIONS]

                enable: 1
                policy_in: ACCEPT

                [RULES]

                IN DROP -source 192.0.2.10-192.0.2.20 -p tcp -sport 1000:2000
                IN REJECT -dest 10.0.0.6 -p tcp
                IN REJECT -p udp -dport 53
                |IN REJECT
                IN REJECT -source fe80::1
                """);
        assertThat(decide(p, "192.0.2.15", 1500, 80)).isEqualTo(Verdict.DROP);
        assertThat(decide(p, "192.0.2.15", 2500, 80)).isEqualTo(Verdict.ACCEPT);
        assertThat(decide(p, "192.0.2.21", 1500, 80)).isEqualTo(Verdict.ACCEPT);
        // another destination, UDP, a disabled rule, an IPv6 rule: none apply to this connection
        assertThat(decide(p, "192.0.2.30", 1500, 53)).isEqualTo(Verdict.ACCEPT);
    }

    @Test
    void anEnableTimestampCountsForAMinute() {
        String guest = "[OPTIONS]\n\nenable: 1\n";
        assertThat(policy("[OPTIONS]\n\nenable: " + (NOW - 30) + "\n", guest).open()).isFalse();
        assertThat(policy("[OPTIONS]\n\nenable: " + (NOW - 61) + "\n", guest).open()).isTrue();
        assertThat(FirewallFiles.readCluster("[OPTIONS]\n\nenable: " + (NOW - 61) + "\n", NOW).options()).containsEntry("enable", "0");
    }

    @Test
    void ipsetReferencesResolveByScope() {
        String cluster = """
                [OPTIONS]

                enable: 1

                [IPSET peers]

                192.0.2.0/24
                !192.0.2.128/25
                """;
        String guest = """
                [OPTIONS]

                enable: 1

                [IPSET peers]

                198.51.100.1

                [RULES]

                IN ACCEPT -source +dc/peers
                IN REJECT -source +peers
                """;
        InboundPolicy p = policy(cluster, guest);
        assertThat(decide(p, "192.0.2.1", 1, 22)).isEqualTo(Verdict.ACCEPT);
        // the more specific nomatch entry wins: not in the set
        assertThat(decide(p, "192.0.2.200", 1, 22)).isEqualTo(Verdict.DROP);
        // no scope: the guest's set of that name first
        assertThat(decide(p, "198.51.100.1", 1, 22)).isEqualTo(Verdict.REJECT);
    }

    @Test
    void theFileFormatNormalizesAsPveDoes() {
        FirewallConfig conf = FirewallFiles.readCluster("""
                [IPSET Routers] # the routers
                10.0.0.5 # one
                10.0.0.0/8
                10.0.0.1/32

                [group Web-In]
                IN ACCEPT -p tcp -dport 80 -log nolog # web
                |IN DROP
                IN ACCEPT -source 10.0.0.1 - 10.0.0.2
                """, NOW);
        assertThat(conf.ipsets()).containsOnlyKeys("routers");
        assertThat(conf.ipsetComments()).containsEntry("routers", "the routers");
        assertThat(conf.ipset("routers")).extracting(e -> e.get("cidr")).containsExactly("10.0.0.5", "10.0.0.0/8", "10.0.0.1");
        assertThat(conf.groups()).containsOnlyKeys("web-in");
        // the line with spaces in its address cannot be parsed back: PVE drops it
        assertThat(conf.groups().get("web-in")).hasSize(2);
        assertThat(conf.groups().get("web-in").get(0)).containsEntry("comment", "web").containsEntry("log", "nolog")
                .containsEntry("enable", "1");
        assertThat(conf.groups().get("web-in").get(1)).containsEntry("enable", "0");
        // written back: sorted entries, one line per rule
        String written = FirewallFiles.writeCluster(conf);
        assertThat(written).contains("[IPSET routers] # the routers\n\n10.0.0.0/8\n10.0.0.1\n10.0.0.5 # one\n\n")
                .contains("[group web-in]\n\nIN ACCEPT -p tcp -dport 80 -log nolog # web\n|IN DROP\n\n");
    }
}
