package io.sandplane.urlrouter.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A guest address whose ports only count the connections made to them (and close them at once):
 * proof that a refused request opened no upstream connection.
 */
public final class TrapGuest implements AutoCloseable {

    /** A random 127.X/16 per JVM, so suites running at once on one machine do not collide. */
    private static final int NETWORK = 20 + new java.util.Random().nextInt(200);
    private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(1);

    private final String ip;
    private final List<ServerSocket> sockets = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    private TrapGuest(String ip) {
        this.ip = ip;
    }

    public static TrapGuest start(int... ports) {
        for (int attempt = 0; ; attempt++) {
            int n = NEXT_ADDRESS.getAndIncrement();
            TrapGuest trap = new TrapGuest("127." + NETWORK + "." + (n / 250) + "." + (n % 250 + 1));
            try {
                for (int port : ports) {
                    trap.listen(port);
                }
                return trap;
            } catch (IllegalStateException taken) {
                trap.close();
                if (attempt >= 20) {
                    throw taken;
                }
            }
        }
    }

    public String ip() {
        return ip;
    }

    public int connections() {
        return connections.get();
    }

    private void listen(int port) {
        try {
            ServerSocket socket = new ServerSocket(port, 50, InetAddress.getByName(ip));
            sockets.add(socket);
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket accepted = socket.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + ip + ":" + port, e);
        }
    }

    @Override
    public void close() {
        for (ServerSocket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
