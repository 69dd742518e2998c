package io.sandplane.urlrouter.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sandbox service that never answers, on a guest address ({@link GuestAddresses}) and a port the
 * kernel picks: either it accepts connections and then stays silent ({@link #silent()}), or it never
 * even accepts them
 * ({@link #blackhole()}: its accept queue is full, so the kernel drops new SYNs and a connect hangs
 * as it would towards an unroutable or firewalled address).
 */
public final class UnansweringService implements AutoCloseable {

    private final ServerSocket socket;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    private UnansweringService(ServerSocket socket) {
        this.socket = socket;
    }

    /** Accepts every connection, reads nothing and never answers. */
    public static UnansweringService silent() {
        UnansweringService service = new UnansweringService(bind(50));
        Thread.ofVirtual().start(() -> {
            while (!service.socket.isClosed()) {
                try {
                    service.held.add(service.socket.accept());
                    service.accepted.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        });
        return service;
    }

    /** Never accepts: fills its one-slot accept queue itself, so further connects get no SYN-ACK. */
    public static UnansweringService blackhole() {
        UnansweringService service = new UnansweringService(bind(1));
        for (int i = 0; i < 16; i++) {
            Socket filler = new Socket();
            service.held.add(filler);
            try {
                filler.connect(new InetSocketAddress(service.ip(), service.port()), 200);
            } catch (SocketTimeoutException full) {
                return service;
            } catch (IOException e) {
                service.close();
                throw new IllegalStateException("cannot fill the accept queue of " + service.port(), e);
            }
        }
        service.close();
        throw new IllegalStateException("the kernel keeps accepting connections for a full queue; no blackhole here");
    }

    private static ServerSocket bind(int backlog) {
        String address = GuestAddresses.next();
        try {
            return new ServerSocket(0, backlog, InetAddress.getByName(address));
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + address, e);
        }
    }

    public String ip() {
        return socket.getInetAddress().getHostAddress();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Connections accepted so far (always 0 for a blackhole). */
    public int accepted() {
        return accepted.get();
    }

    @Override
    public void close() {
        for (Socket s : held) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
