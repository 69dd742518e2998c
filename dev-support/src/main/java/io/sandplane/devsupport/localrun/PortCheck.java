package io.sandplane.devsupport.localrun;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.TreeMap;

/** Fails early, naming the port and its user, when a port the local run needs is taken. */
final class PortCheck {

    private PortCheck() {
    }

    static void requireFree(Map<String, Integer> ports) {
        Map<String, Integer> taken = new TreeMap<>();
        ports.forEach((who, port) -> {
            if (!free(port)) {
                taken.put(who, port);
            }
        });
        if (!taken.isEmpty()) {
            StringBuilder message = new StringBuilder("ports in use: ");
            taken.forEach((who, port) -> message.append(port).append(" (needed by ").append(who).append(") "));
            message.append("— stop whatever uses them (is Sandplane already running? `ss -ltnp` shows the owner)");
            throw new IllegalStateException(message.toString().trim());
        }
    }

    private static boolean free(int port) {
        try (ServerSocket any = new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
