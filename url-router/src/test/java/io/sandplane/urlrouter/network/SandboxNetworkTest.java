package io.sandplane.urlrouter.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandplane.model.InvalidValueException;
import io.sandplane.urlrouter.network.SandboxNetwork.Verdict;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which addresses the proxy may reach, as an operator configures it; and start-up refusing what it cannot read. */
class SandboxNetworkTest {

    private final SandboxNetwork network = SandboxNetwork.configured(Optional.of("10.10.0.0/16, fd00:10::/64"),
            Optional.of("10.10.0.1/32,10.10.200.0/24,fd00:10::1"), List.of(address("10.10.0.250"), address("127.0.0.1")));

    @Test
    void onlyAddressesInsideThePoolAndOutsideTheControlPlaneAreAllowed() {
        Map<String, Verdict> expected = Map.ofEntries(
                Map.entry("10.10.0.2", Verdict.ALLOWED),
                Map.entry("10.10.255.255", Verdict.ALLOWED),
                Map.entry("::ffff:10.10.5.5", Verdict.ALLOWED),
                Map.entry("fd00:10::2", Verdict.ALLOWED),
                Map.entry("10.11.0.0", Verdict.OUTSIDE_POOL),
                Map.entry("10.9.255.255", Verdict.OUTSIDE_POOL),
                Map.entry("192.168.1.1", Verdict.OUTSIDE_POOL),
                Map.entry("::10.10.5.5", Verdict.OUTSIDE_POOL),
                Map.entry("fd00:11::2", Verdict.OUTSIDE_POOL),
                Map.entry("169.254.169.254", Verdict.OUTSIDE_POOL),
                // The control plane, however the address is spelt, even inside the pool.
                Map.entry("10.10.0.1", Verdict.CONTROL_PLANE),
                Map.entry("::ffff:10.10.0.1", Verdict.CONTROL_PLANE),
                Map.entry("0:0:0:0:0:ffff:a0a:1", Verdict.CONTROL_PLANE),
                Map.entry("10.10.200.0", Verdict.CONTROL_PLANE),
                Map.entry("10.10.200.255", Verdict.CONTROL_PLANE),
                Map.entry("fd00:10::1", Verdict.CONTROL_PLANE),
                Map.entry("fd00:10:0:0:0:0:0:0001", Verdict.CONTROL_PLANE),
                // The router's own host.
                Map.entry("10.10.0.250", Verdict.CONTROL_PLANE),
                // Never a guest's, whatever is configured.
                Map.entry("127.0.0.1", Verdict.RESERVED),
                Map.entry("::ffff:127.0.0.1", Verdict.RESERVED),
                Map.entry("::1", Verdict.RESERVED),
                Map.entry("0.0.0.0", Verdict.RESERVED),
                Map.entry("::", Verdict.RESERVED),
                Map.entry("224.0.0.1", Verdict.RESERVED),
                Map.entry("255.255.255.255", Verdict.RESERVED),
                Map.entry("ff02::1", Verdict.RESERVED));
        expected.forEach((address, verdict) -> assertThat(network.judge(address(address))).as(address).isEqualTo(verdict));
    }

    @Test
    void addressesNoGuestHasAreRefusedEvenInAPoolThatCoversEverything() {
        SandboxNetwork everything = SandboxNetwork.configured(Optional.of("0.0.0.0/0,::/0"), Optional.empty(), List.of());
        for (String never : List.of("0.0.0.0", "0.1.2.3", "127.0.0.1", "::ffff:127.0.0.1", "::1", "::", "224.0.0.251",
                "239.255.255.255", "240.0.0.1", "255.255.255.255", "ff02::1")) {
            assertThat(everything.judge(address(never))).as(never).isEqualTo(Verdict.RESERVED);
        }
        // The simulator's guests are loopback addresses other than 127.0.0.1.
        assertThat(everything.judge(address("127.0.0.2"))).isEqualTo(Verdict.ALLOWED);
        assertThat(everything.judge(address("127.45.0.3"))).isEqualTo(Verdict.ALLOWED);
        assertThat(everything.judge(address("223.255.255.255"))).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void theTestAndLocalRunLayoutsKeepTheirOwnListenersOut() {
        SandboxNetwork tests = SandboxNetwork.configured(Optional.of("127.0.0.0/8"), Optional.of("127.0.0.0/16"), List.of());
        assertThat(tests.judge(address("127.45.0.3"))).isEqualTo(Verdict.ALLOWED);
        assertThat(tests.judge(address("127.0.5.7"))).isEqualTo(Verdict.CONTROL_PLANE);
        SandboxNetwork localRun = SandboxNetwork.configured(Optional.of("127.77.0.0/16"), Optional.empty(), List.of());
        assertThat(localRun.judge(address("127.77.0.2"))).isEqualTo(Verdict.ALLOWED);
        assertThat(localRun.judge(address("127.0.0.2"))).isEqualTo(Verdict.OUTSIDE_POOL);
    }

    @Test
    void startUpFailsWithTheVariableAndWhatToPutThere() {
        for (Optional<String> missing : List.of(Optional.<String>empty(), Optional.of(""), Optional.of("  "))) {
            assertThatThrownBy(() -> SandboxNetwork.configured(missing, Optional.empty(), List.of()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("PVE_IP_POOL_CIDR is not set")
                    .hasMessageContaining("e.g. 10.10.0.0/24");
        }
        assertThatThrownBy(() -> SandboxNetwork.configured(Optional.of(" , "), Optional.empty(), List.of()))
                .hasMessageStartingWith("PVE_IP_POOL_CIDR names no network");
        assertThatThrownBy(() -> SandboxNetwork.configured(Optional.of("10.10.0.1/16"), Optional.empty(), List.of()))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageStartingWith("PVE_IP_POOL_CIDR: '10.10.0.1/16' has host bits set: the network is 10.10.0.0/16");
        assertThatThrownBy(() -> SandboxNetwork.configured(Optional.of("10.10.0.0/16"), Optional.of("10.10.0.1,pve1.lan"), List.of()))
                .hasMessageStartingWith("SANDPLANE_CONTROL_PLANE_CIDRS: 'pve1.lan' is not an IPv4 or IPv6 address");
        // Mapped text was read as the IPv4 network it carries (10.10.0.0/16) until the shared parser; now it stops start-up.
        assertThatThrownBy(() -> SandboxNetwork.configured(Optional.of("::ffff:10.10.0.0/112"), Optional.empty(), List.of()))
                .hasMessageStartingWith("PVE_IP_POOL_CIDR: '::ffff:10.10.0.0/112' is IPv4-mapped IPv6")
                .hasMessageContaining("write it as IPv4: 10.10.0.0/16");
    }

    @Test
    void theControlPlaneIsWhatIsConfiguredAndThisHostsAddressesEachOnce() {
        assertThat(network.pool()).extracting(Object::toString).containsExactly("10.10.0.0/16", "fd00:10::/64");
        assertThat(network.controlPlane()).extracting(Object::toString)
                .containsExactly("10.10.0.1/32", "10.10.200.0/24", "fd00:10::1/128", "10.10.0.250/32", "127.0.0.1/32");
        SandboxNetwork twice = SandboxNetwork.configured(Optional.of("10.10.0.0/16"), Optional.of("10.10.0.1"),
                List.of(address("10.10.0.1"), address("::ffff:10.10.0.1")));
        assertThat(twice.controlPlane()).extracting(Object::toString).containsExactly("10.10.0.1/32");
    }

    /** The address as the JDK reads a literal (no lookup; it turns mapped text into IPv4), as sockets and resolvers give it. */
    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError("not a literal: " + literal, e);
        }
    }
}
