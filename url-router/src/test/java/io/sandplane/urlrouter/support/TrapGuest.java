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
 * proof that a refused request opened no upstream connection. Its address comes from
 * {@link GuestAddresses}, or is given ({@link #startOn}).
 */
public final class TrapGuest implements AutoCloseable {


    private final String ip;
    private final List<ServerSocket> sockets = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    private TrapGuest(String ip) {
        this.ip = ip;
    }

    public static TrapGuest start(int... ports) {
        for (int attempt = 0; ; attempt++) {
            TrapGuest trap = new TrapGuest(GuestAddresses.next());
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

    /**
     * A trap on a given address (e.g. 127.0.0.1, where no sandbox may be reached); port 0 takes one the kernel
     * picks ({@link #port()}).
     */
    public static TrapGuest startOn(String ip, int... ports) {
        TrapGuest trap = new TrapGuest(ip);
        for (int port : ports) {
            trap.listen(port);
        }
        return trap;
    }

    public String ip() {
        return ip;
    }

    /** The port the trap's first listener really got. */
    public int port() {
        return sockets.getFirst().getLocalPort();
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
