package io.sandplane.simulator.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The guest network's own ordering, where the API's tasks can't make the window wide enough to
 * see: each call is made at the worst moment (a close while the bind is still under way, a bind
 * while the old listeners on that address are still closing).
 */
@QuarkusTest
class GuestListenersTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static int nextVmid = 990_000;

    @Inject
    GuestNetwork network;

    @Test
    void aCloseRequestedWhileTheBindIsUnderWayLeavesThePortsClosed() throws Exception {
        for (int i = 0; i < 20; i++) {
            GuestNetwork.Listeners listeners = network.up(endpoint(), null, null);
            listeners.close().toCompletableFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            String address = listeners.bound().toCompletableFuture().join();
            assertThat(accepts(address)).as("%s after a close that overtook its bind (round %d)", address, i).isFalse();
        }
    }

    @Test
    void aBindOnAnAddressWhoseListenersAreStillClosingListens() throws Exception {
        GuestNetwork.Listeners first = network.up(endpoint(), null, null);
        String address = first.bound().toCompletableFuture().join();
        for (int i = 0; i < 20; i++) {
            // not waited for: the next start on the same address comes while these close
            first.close();
            GuestNetwork.Listeners next = network.up(endpoint(), address, null);
            String bound = next.bound().toCompletableFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            // usually the same address; another one if that bind failed (the network then moves on, as for
            // an address taken by another process) - either way the ports it reports must listen
            assertThat(accepts(bound)).as("%s right after its bind (round %d)", bound, i).isTrue();
            network.release(address.equals(bound) ? null : address);
            address = bound;
            first = next;
        }
        first.close().toCompletableFuture().join();
        network.release(address);
    }

    private static GuestNetwork.GuestEndpoint endpoint() throws IOException {
        Path dir = Files.createTempDirectory("guest-listeners-");
        dir.toFile().deleteOnExit();
        return new GuestNetwork.GuestEndpoint(nextVmid++, "lxc", dir, null, Map.of(),
                InboundGate.OPEN);
    }

    /** Whether every port of the address takes a connection. */
    private static boolean accepts(String address) {
        boolean all = true;
        boolean none = true;
        for (int port : ports()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), 2000);
                none = false;
            } catch (ConnectException e) {
                all = false;
            } catch (IOException e) {
                throw new AssertionError(address + ":" + port + ": " + e, e);
            }
        }
        assertThat(all || none).as("%s: some ports listen, others don't", address).isTrue();
        return all;
    }

    private static int[] ports() {
        int[] ports = new int[1 + GuestNetwork.ECHO_PORTS.size()];
        ports[0] = GuestNetwork.EXECD_PORT;
        for (int i = 0; i < GuestNetwork.ECHO_PORTS.size(); i++) {
            ports[i + 1] = GuestNetwork.ECHO_PORTS.get(i);
        }
        return ports;
    }
}
