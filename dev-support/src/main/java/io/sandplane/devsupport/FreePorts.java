package io.sandplane.devsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the processes the tests and the local run start, chosen before they start (the topology tells each
 * service where the others listen).
 *
 * <p>Not by binding port 0: the kernel hands that out from its ephemeral range, the same range every outgoing
 * connection takes its local port from, so between the pick and the child's bind a connection of any process on the
 * machine could take the port ("Port … seems to be in use by another process", seen in the e2e suite). These ports
 * come from below the ephemeral range (read from {@code /proc/sys/net/ipv4/ip_local_port_range}), where the kernel
 * never puts a connection; each is checked free when picked, and none is handed out twice by this JVM. Each JVM
 * starts at a random place in the range, so two suites on one machine rarely meet.
 */
public final class FreePorts {

    private static final int LOWEST = 10_000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();
    private static int range = -1;
    private static int next;

    private FreePorts() {
    }

    /** A port no listener holds on 127.0.0.1 now, outside the kernel's ephemeral range, not handed out before. */
    public static synchronized int next() {
        if (range < 0) {
            range = ephemeralLow() - LOWEST;
            next = ThreadLocalRandom.current().nextInt(range);
        }
        for (int tried = 0; tried < range; tried++) {
            int port = LOWEST + next;
            next = (next + 1) % range;
            if (!HANDED_OUT.contains(port) && free(port)) {
                HANDED_OUT.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free port between " + LOWEST + " and " + (LOWEST + range));
    }

    /** Bindable on the loopback address and on every address (a wildcard listener would take the loopback's calls). */
    static boolean free(int port) {
        for (InetAddress address : new InetAddress[] { InetAddress.getLoopbackAddress(), null }) {
            try (ServerSocket socket = new ServerSocket()) {
                // No SO_REUSEADDR: a port some connection still holds (even in TIME_WAIT) is not free for this purpose.
                socket.setReuseAddress(false);
                socket.bind(address == null ? new InetSocketAddress(port) : new InetSocketAddress(address, port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** The first port of the kernel's ephemeral range; Linux's default when it cannot be read. */
    private static int ephemeralLow() {
        int low = 32_768;
        // Read by lines: /proc reports a size of 0, and Files.readString was seen to return only part of the file.
        try {
            String[] range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).getFirst().trim().split("\\s+");
            low = Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            // Not Linux, or not readable: the default.
        }
        if (low <= LOWEST + 1_000) {
            throw new UncheckedIOException(new IOException("the ephemeral port range starts at " + low
                    + ", leaving no room below it for fixed ports"));
        }
        return low;
    }
}
