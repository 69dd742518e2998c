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

    private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(1);

    private final String ip;
    private final List<ServerSocket> sockets = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    private TrapGuest(String ip) {
        this.ip = ip;
    }

    public static TrapGuest start(int... ports) {
        int n = NEXT_ADDRESS.getAndIncrement();
        TrapGuest trap = new TrapGuest("127.78." + (n / 250) + "." + (n % 250 + 1));
        for (int port : ports) {
            trap.listen(port);
        }
        return trap;
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
