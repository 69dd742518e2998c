package io.sandplane.devsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void portsAreBelowTheEphemeralRangeNeverHandedOutTwiceAndFreeWhenPicked() throws Exception {
        int ephemeralLow = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).getFirst().trim()
                .split("\\s+")[0]);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = FreePorts.next();
            assertThat(port).isBetween(10_000, ephemeralLow - 1);
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
        }
        int port = FreePorts.next();
        try (ServerSocket listener = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(listener.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void aPortSomeoneListensOnOrAConnectionHoldsIsNotFree() throws Exception {
        int port = FreePorts.next();
        assertThat(FreePorts.free(port)).isTrue();
        try (ServerSocket listener = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(FreePorts.free(port)).as("a listener on 127.0.0.1").isFalse();
            // A connection's local port (what an outgoing connection takes from the ephemeral range) is not free either.
            try (java.net.Socket client = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                assertThat(FreePorts.free(client.getLocalPort())).as("a connected socket's port").isFalse();
            }
        }
        try (ServerSocket wildcard = new ServerSocket(port)) {
            assertThat(FreePorts.free(port)).as("a listener on every address").isFalse();
        }
    }
}
