package io.sandplane.simulator;

import static io.sandplane.simulator.Probe.Outcome.ANSWERED;
import static io.sandplane.simulator.Probe.Outcome.RESET;
import static io.sandplane.simulator.Probe.Outcome.SILENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The firewall in front of the simulator's guests, seen from clients on real sockets: a guest with
 * {@code policy_in} DROP lets in only what its rules accept (by source address and IP set, port and
 * protocol), the datacenter, guest and NIC switches each take the firewall out of the path, and a
 * change applies to the next connection (while one already open stays, as with PVE's conntrack).
 */
@QuarkusTest
class FirewallEnforcementTest {

    private static final String CLIENT = "127.0.0.1";
    private static final int EXECD = 39375;
    private static final int WORKER = 39377;
    private static final String FIREWALLED_NET0 = "name=eth0,bridge=vmbr0,ip=dhcp,type=veth,firewall=1";

    private String guest;
    /** A second running guest: a source address inside the guest network, as another sandbox would connect from. */
    private String neighbour;

    @BeforeEach
    void guests() {
        Pve.reset();
        Pve.zeroLatencies();
        guest = running(300, FIREWALLED_NET0);
        neighbour = running(301, FIREWALLED_NET0);
        // the router's address as a datacenter IP set, referenced by the guest's rule as PVE spells it
        Pve.post("/cluster/firewall/ipset", "name", "routers").then().statusCode(200);
        Pve.post("/cluster/firewall/ipset/routers", "cidr", CLIENT).then().statusCode(200);
        Pve.put("/nodes/pve1/lxc/300/firewall/options", "enable", 1, "policy_in", "DROP").then().statusCode(200);
        Pve.post("/nodes/pve1/lxc/300/firewall/rules", "type", "in", "action", "ACCEPT", "source", "+dc/routers",
                "proto", "tcp", "dport", EXECD + "," + WORKER, "enable", 1).then().statusCode(200);
    }

    private static String running(int vmid, String net0) {
        Pve.cloneAndWait("pve1", 9001, vmid, "fw-" + vmid);
        Pve.put("/nodes/pve1/lxc/" + vmid + "/config", "net0", net0).then().statusCode(200);
        Pve.startAndWait("pve1", vmid);
        return Pve.address("pve1", vmid);
    }

    @Test
    void onlyTheAcceptedSourceGetsInAndOnlyOnItsPorts() {
        assertThat(Probe.connect(CLIENT, guest, EXECD)).isEqualTo(ANSWERED);
        assertThat(Probe.connect(CLIENT, guest, WORKER)).isEqualTo(ANSWERED);
        // another sandbox's address: not in the set, so the policy (DROP) applies
        assertThat(Probe.connectExpectingSilence(neighbour, guest, EXECD)).isEqualTo(SILENT);
        // the right source, a port outside dport
        assertThat(Probe.connectExpectingSilence(CLIENT, guest, 39378)).isEqualTo(SILENT);
        // the neighbour itself has no firewall options (no <vmid>.fw): all open
        assertThat(Probe.connect(CLIENT, neighbour, 39378)).isEqualTo(ANSWERED);
    }

    @Test
    void rejectResetsWhereDropStaysSilent() {
        Pve.put("/nodes/pve1/lxc/300/firewall/options", "policy_in", "REJECT").then().statusCode(200);
        assertThat(Probe.connect(neighbour, guest, EXECD)).isEqualTo(RESET);
        // a rule's own REJECT, ahead of the ACCEPT
        Pve.post("/nodes/pve1/lxc/300/firewall/rules", "type", "in", "action", "REJECT", "source", CLIENT + "/32",
                "enable", 1).then().statusCode(200);
        assertThat(Probe.connect(CLIENT, guest, EXECD)).isEqualTo(RESET);
        Pve.put("/nodes/pve1/lxc/300/firewall/rules/0", "action", "DROP").then().statusCode(200);
        assertThat(Probe.connectExpectingSilence(CLIENT, guest, EXECD)).isEqualTo(SILENT);
    }

    @Test
    void theFirewallIsOutOfThePathWhenAnySwitchIsOff() {
        assertThat(Probe.connectExpectingSilence(neighbour, guest, EXECD)).isEqualTo(SILENT);

        Pve.put("/cluster/firewall/options", "enable", 0).then().statusCode(200);
        assertThat(Probe.connect(neighbour, guest, EXECD)).isEqualTo(ANSWERED);
        Pve.put("/cluster/firewall/options", "enable", 1).then().statusCode(200);
        assertThat(Probe.connectExpectingSilence(neighbour, guest, EXECD)).isEqualTo(SILENT);

        Pve.put("/nodes/pve1/lxc/300/firewall/options", "enable", 0).then().statusCode(200);
        assertThat(Probe.connect(neighbour, guest, EXECD)).isEqualTo(ANSWERED);
        Pve.put("/nodes/pve1/lxc/300/firewall/options", "enable", 1).then().statusCode(200);
        assertThat(Probe.connectExpectingSilence(neighbour, guest, EXECD)).isEqualTo(SILENT);

        // the NIC without firewall=1 never passes the firewall bridge (PVE applies this on a running CT at once)
        Pve.put("/nodes/pve1/lxc/300/config", "net0", "name=eth0,bridge=vmbr0,ip=dhcp,type=veth,firewall=0")
                .then().statusCode(200);
        assertThat(Probe.connect(neighbour, guest, EXECD)).isEqualTo(ANSWERED);
        Pve.put("/nodes/pve1/lxc/300/config", "net0", FIREWALLED_NET0).then().statusCode(200);
        assertThat(Probe.connectExpectingSilence(neighbour, guest, EXECD)).isEqualTo(SILENT);
    }

    @Test
    void aChangeAppliesToTheNextConnectionWhileAnOpenOneStays() throws Exception {
        try (Socket open = new Socket()) {
            open.bind(new InetSocketAddress(CLIENT, 0));
            open.connect(new InetSocketAddress(guest, EXECD), 2000);
            assertThat(Probe.exchange(open)).isEqualTo(ANSWERED);

            // the set no longer holds the client: new connections fall to the policy
            Pve.delete("/cluster/firewall/ipset/routers/" + CLIENT).then().statusCode(200);
            assertThat(Probe.connectExpectingSilence(CLIENT, guest, EXECD)).isEqualTo(SILENT);
            // established connections pass PVE's conntrack rule before any guest rule
            assertThat(Probe.exchange(open)).isEqualTo(ANSWERED);
        }
        // the neighbour's network in the set: it gets in, on the next connection
        Pve.post("/cluster/firewall/ipset/routers", "cidr", neighbour.replaceFirst("\\.\\d+$", ".0") + "/24")
                .then().statusCode(200);
        assertThat(Probe.connect(neighbour, guest, EXECD)).isEqualTo(ANSWERED);
        assertThat(Probe.connectExpectingSilence(CLIENT, guest, EXECD)).isEqualTo(SILENT);
        // a disabled rule is no rule
        Pve.put("/nodes/pve1/lxc/300/firewall/rules/0", "enable", 0).then().statusCode(200);
        assertThat(Probe.connectExpectingSilence(neighbour, guest, EXECD)).isEqualTo(SILENT);
    }

    @Test
    void nomatchCarvesAnAddressOutOfANetwork() {
        Pve.post("/cluster/firewall/ipset/routers", "cidr", "127.0.0.0/8").then().statusCode(200);
        Pve.post("/cluster/firewall/ipset/routers", "cidr", neighbour, "nomatch", 1).then().statusCode(200);
        assertThat(Probe.connect(CLIENT, guest, EXECD)).isEqualTo(ANSWERED);
        assertThat(Probe.connectExpectingSilence(neighbour, guest, EXECD)).isEqualTo(SILENT);
    }

    @Test
    void aSecurityGroupActsWhereItsRuleStands() {
        // the guest's own rule goes; a group with the same rule takes its place
        Pve.delete("/nodes/pve1/lxc/300/firewall/rules/0").then().statusCode(200);
        assertThat(Probe.connectExpectingSilence(CLIENT, guest, EXECD)).isEqualTo(SILENT);
        Pve.post("/cluster/firewall/groups", "group", "sandbox-in").then().statusCode(200);
        Pve.post("/cluster/firewall/groups/sandbox-in", "type", "in", "action", "ACCEPT", "source", "+routers",
                "proto", "tcp", "dport", String.valueOf(EXECD), "enable", 1).then().statusCode(200);
        Pve.post("/nodes/pve1/lxc/300/firewall/rules", "type", "group", "action", "sandbox-in", "enable", 1)
                .then().statusCode(200);
        assertThat(Probe.connect(CLIENT, guest, EXECD)).isEqualTo(ANSWERED);
        assertThat(Probe.connectExpectingSilence(CLIENT, guest, WORKER)).isEqualTo(SILENT);

        // a REJECT of the guest's after the group: what the group accepts is in, the rest meets the REJECT
        Pve.post("/nodes/pve1/lxc/300/firewall/rules", "type", "in", "action", "REJECT", "source", CLIENT,
                "enable", 1).then().statusCode(200);
        Pve.put("/nodes/pve1/lxc/300/firewall/rules/0", "moveto", 2).then().statusCode(200);
        assertThat(Pve.api().get("/nodes/pve1/lxc/300/firewall/rules").then().extract().<List<String>>path("data.type"))
                .containsExactly("group", "in");
        assertThat(Probe.connect(CLIENT, guest, EXECD)).isEqualTo(ANSWERED);
        assertThat(Probe.connect(CLIENT, guest, WORKER)).isEqualTo(RESET);
        // moved ahead of the group, the REJECT takes everything
        Pve.put("/nodes/pve1/lxc/300/firewall/rules/1", "moveto", 0).then().statusCode(200);
        assertThat(Probe.connect(CLIENT, guest, EXECD)).isEqualTo(RESET);
        // an empty group accepts nothing
        Pve.delete("/nodes/pve1/lxc/300/firewall/rules/0").then().statusCode(200);
        Pve.delete("/cluster/firewall/groups/sandbox-in/0").then().statusCode(200);
        assertThat(Probe.connectExpectingSilence(CLIENT, guest, EXECD)).isEqualTo(SILENT);
    }

    @Test
    void aRuleWhoseIpSetIsGoneIsLeftOut() {
        Pve.delete("/cluster/firewall/ipset/routers", "force", 1).then().statusCode(200);
        Pve.api().get("/nodes/pve1/lxc/300/firewall/rules/0").then().statusCode(200)
                .body("data.errors.source", equalTo("no such ipset 'routers'"));
        assertThat(Probe.connectExpectingSilence(CLIENT, guest, EXECD)).isEqualTo(SILENT);
        // +dc/ only looks at the datacenter's sets: a guest set of that name does not revive the rule
        Pve.post("/nodes/pve1/lxc/300/firewall/ipset", "name", "routers").then().statusCode(200);
        Pve.post("/nodes/pve1/lxc/300/firewall/ipset/routers", "cidr", CLIENT).then().statusCode(200);
        Pve.api().get("/nodes/pve1/lxc/300/firewall/rules/0").then().body("data.errors", equalTo(null));
        assertThat(Probe.connectExpectingSilence(CLIENT, guest, EXECD)).isEqualTo(SILENT);
        // …while +guest/ does
        Pve.put("/nodes/pve1/lxc/300/firewall/rules/0", "source", "+guest/routers").then().statusCode(200);
        assertThat(Probe.connect(CLIENT, guest, EXECD)).isEqualTo(ANSWERED);
    }

    @Test
    void aBlacklistedSourceIsDroppedEvenWithTheGuestFirewallOff() {
        Pve.put("/nodes/pve1/lxc/301/firewall/options", "enable", 0).then().statusCode(200);
        assertThat(Probe.connect(CLIENT, neighbour, EXECD)).isEqualTo(ANSWERED);
        Pve.post("/cluster/firewall/ipset", "name", "blacklist").then().statusCode(200);
        Pve.post("/cluster/firewall/ipset/blacklist", "cidr", CLIENT).then().statusCode(200);
        assertThat(Probe.connectExpectingSilence(CLIENT, neighbour, EXECD)).isEqualTo(SILENT);
        assertThat(Probe.connect(guest, neighbour, EXECD)).isEqualTo(ANSWERED);
    }

    @Test
    void aLinkedCloneTakesTheTemplatesFirewallAndDestroyTakesItAway() {
        Pve.put("/nodes/pve1/lxc/9001/firewall/options", "enable", 1, "policy_in", "DROP").then().statusCode(200);
        Pve.post("/nodes/pve1/lxc/9001/firewall/rules", "type", "in", "action", "ACCEPT", "source", CLIENT,
                "proto", "tcp", "dport", EXECD, "enable", 1).then().statusCode(200);
        String clone = running(302, "name=eth0,bridge=vmbr0,ip=dhcp,type=veth,firewall=1");
        Pve.api().get("/nodes/pve1/lxc/302/firewall/rules").then().statusCode(200)
                .body("data", hasSize(1)).body("data[0].source", equalTo(CLIENT));
        assertThat(Probe.connect(CLIENT, clone, EXECD)).isEqualTo(ANSWERED);
        assertThat(Probe.connectExpectingSilence(CLIENT, clone, WORKER)).isEqualTo(SILENT);
        // a copy: the template's later changes are not the clone's
        Pve.put("/nodes/pve1/lxc/9001/firewall/options", "enable", 0).then().statusCode(200);
        assertThat(Probe.connectExpectingSilence(CLIENT, clone, WORKER)).isEqualTo(SILENT);

        Pve.awaitOk("pve1", Pve.delete("/nodes/pve1/lxc/302", "force", 1));
        Pve.api().get("/nodes/pve1/lxc/302/firewall/rules").then().statusCode(200).body("data", hasSize(0));
        Pve.api().get("/nodes/pve1/lxc/302/firewall/options").then().statusCode(200)
                .body("data", equalTo(Map.of("digest", "da39a3ee5e6b4b0d3255bfef95601890afd80709")));
    }

    @Test
    void aQemuCloneTakesItsSourcesFirewallInItsTask() {
        Pve.createVm("pve1", 400);
        Pve.put("/nodes/pve1/qemu/400/firewall/options", "enable", 1).then().statusCode(200);
        Pve.post("/nodes/pve1/qemu/400/firewall/ipset", "name", "peers").then().statusCode(200);
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/400/clone", "newid", 401, "full", 1));
        Pve.api().get("/nodes/pve1/qemu/401/firewall/options").then().body("data.enable", equalTo(1));
        Pve.api().get("/nodes/pve1/qemu/401/firewall/ipset").then().body("data[0].name", equalTo("peers"));
        Pve.awaitOk("pve1", Pve.delete("/nodes/pve1/qemu/401"));
        Pve.api().get("/nodes/pve1/qemu/401/firewall/ipset").then().body("data", hasSize(0));
    }

    @Test
    void aQemuVmsNicIsFirewalledToo() {
        Pve.createVm("pve1", 402, "net0", "virtio,bridge=vmbr0,firewall=1", "start", 1);
        String vm = Pve.api().get("/nodes/pve1/qemu/402/agent/network-get-interfaces").then().statusCode(200).extract()
                .path("data.result[1].ip-addresses[0].ip-address");
        assertThat(Probe.connect(CLIENT, vm, EXECD)).isEqualTo(ANSWERED);
        Pve.put("/nodes/pve1/qemu/402/firewall/options", "enable", 1, "policy_in", "REJECT").then().statusCode(200);
        assertThat(Probe.connect(CLIENT, vm, EXECD)).isEqualTo(RESET);
    }
}
