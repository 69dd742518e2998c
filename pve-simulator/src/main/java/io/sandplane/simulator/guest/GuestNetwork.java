package io.sandplane.simulator.guest;

import io.sandplane.simulator.config.SimulatorConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * Gives each running guest a loopback address of this simulator's guest network (127.N.0.0/16 by
 * default, N random so several simulators on one machine don't collide) and serves the guest's
 * execd and echo ports on it. A stopped guest's listeners are closed: connections are refused.
 */
@ApplicationScoped
public class GuestNetwork {

    private static final Logger LOG = Logger.getLogger(GuestNetwork.class);
    public static final int EXECD_PORT = 39375;
    /** worker, vscode, vnc, xterm, preview. */
    public static final List<Integer> ECHO_PORTS = List.of(39377, 39378, 39380, 39383, 5173);
    private static final int MAX_ATTEMPTS = 64;
    /** How long a close waits for its ports to be free before it lets a bind there try anyway. */
    private static final long FREE_WAIT_NANOS = 2_000_000_000L;

    /** What a guest's services need to know about it, and the firewall in front of them. */
    public record GuestEndpoint(int vmid, String type, Path workDir, String execToken, Map<String, String> env,
                                InboundGate gate) {
    }

    /**
     * How long a dropped connection is held without an answer before it is reset: about as long as a
     * Linux client's connect() keeps retrying a SYN that PVE's DROP swallows (tcp_syn_retries 6, ~127 s).
     */
    static final long DROP_HOLD_MS = 130_000;

    private final Vertx vertx;
    private final Execd execd;
    private final EchoService echo;
    private final long base;
    private final int hosts;
    private final int prefix;
    private final Set<String> assigned = new HashSet<>();
    private final Set<String> takenElsewhere = new HashSet<>();
    /** Addresses whose listeners are still closing, each with the end of that close. */
    private final Map<String, CompletableFuture<Void>> closing = new HashMap<>();
    private int cursor;

    public GuestNetwork(Vertx vertx, Execd execd, EchoService echo, SimulatorConfig config) {
        this.vertx = vertx;
        this.execd = execd;
        this.echo = echo;
        String network = config.guestNetwork().orElseGet(() -> "127." + (2 + ThreadLocalRandom.current().nextInt(250)) + ".0.0/16");
        String[] parts = network.split("/");
        String[] octets = parts[0].split("\\.");
        this.prefix = parts.length > 1 ? Integer.parseInt(parts[1]) : 16;
        if (octets.length != 4 || !octets[0].equals("127") || prefix < 8 || prefix > 28) {
            throw new IllegalArgumentException("SIM_GUEST_NETWORK must be a loopback network 127.x.y.z/8..28, got " + network);
        }
        long addr = 0;
        for (String o : octets) {
            addr = (addr << 8) | Integer.parseInt(o);
        }
        long mask = (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        this.base = addr & mask;
        this.hosts = (int) Math.min((1L << (32 - prefix)) - 2, 1 << 22);
        LOG.infof("guest network %s", network());
    }

    public String network() {
        return address(0) + "/" + prefix;
    }

    public int prefix() {
        return prefix;
    }

    private String address(long offset) {
        long a = base + offset;
        return ((a >> 24) & 255) + "." + ((a >> 16) & 255) + "." + ((a >> 8) & 255) + "." + (a & 255);
    }

    private synchronized String allocate(String preferred) {
        if (preferred != null && assigned.contains(preferred) && !takenElsewhere.contains(preferred)) {
            return preferred;
        }
        for (int i = 0; i < hosts; i++) {
            cursor = cursor % (hosts - 1) + 1; // skip the network address itself and .0.1
            String candidate = address(cursor + 1L);
            if (!assigned.contains(candidate) && !takenElsewhere.contains(candidate)) {
                assigned.add(candidate);
                return candidate;
            }
        }
        throw new IllegalStateException("no free address left in guest network " + network());
    }

    /** Gives an address back (the guest was deleted). */
    public synchronized void release(String address) {
        if (address != null) {
            assigned.remove(address);
        }
    }

    /**
     * One start of a guest's services: bound once, closed once. Each start gets its own, so that
     * closing an old start (a guest dropped by a reset, a start that lost to a stop) can never touch
     * the listeners of a newer start or of a new guest with the same vmid.
     */
    public final class Listeners {
        private final int vmid;
        private final CompletableFuture<String> bound = new CompletableFuture<>();
        private List<HttpServer> servers = List.of();
        private CompletableFuture<Void> closed;

        private Listeners(int vmid) {
            this.vmid = vmid;
        }

        /** Completes with the address once every port accepts connections. */
        public CompletionStage<String> bound() {
            return bound;
        }

        /**
         * Closes the listeners; completes once connections are refused. A bind still under way is
         * waited for first: otherwise a stop would end while the bind goes on to open the ports.
         */
        public CompletionStage<Void> close() {
            synchronized (GuestNetwork.this) {
                if (closed == null) {
                    closed = new CompletableFuture<>();
                    bound.whenComplete((address, err) -> closeBound(this, address));
                }
                return closed;
            }
        }
    }

    /**
     * Binds a new start of the guest's services, on its previous address when it still has one,
     * after the previous start's listeners (if any) are closed.
     */
    public Listeners up(GuestEndpoint guest, String preferred, Listeners previous) {
        Listeners next = new Listeners(guest.vmid());
        CompletionStage<Void> before = previous == null ? CompletableFuture.completedFuture(null) : previous.close();
        before.whenComplete((v, e) -> bind(guest, preferred, 0, next));
        return next;
    }

    private void bind(GuestEndpoint guest, String preferred, int attempt, Listeners next) {
        String address;
        CompletionStage<Void> closingThere;
        try {
            address = allocate(preferred);
        } catch (IllegalStateException e) {
            next.bound.completeExceptionally(e);
            return;
        }
        synchronized (this) {
            closingThere = closing.getOrDefault(address, CompletableFuture.completedFuture(null));
        }
        // Vert.x shares a server socket between servers of one host:port: a listen while the old
        // server there is still closing joins the dying socket and "succeeds" without listening
        closingThere.whenComplete((v, e) -> listenAll(guest, address, attempt, next));
    }

    private void listenAll(GuestEndpoint guest, String address, int attempt, Listeners next) {
        List<Future<HttpServer>> listening = new ArrayList<>();
        listening.add(listen(address, EXECD_PORT, guest));
        for (int port : ECHO_PORTS) {
            listening.add(listen(address, port, guest));
        }
        Future.join(listening).onComplete(all -> {
            if (all.succeeded()) {
                synchronized (this) {
                    next.servers = listening.stream().map(Future::result).toList();
                }
                next.bound.complete(address);
                return;
            }
            List<Future<Void>> closed = new ArrayList<>();
            for (Future<HttpServer> f : listening) {
                if (f.succeeded()) {
                    closed.add(f.result().close());
                }
            }
            synchronized (this) {
                // another process (e.g. a second simulator with the same network) holds it
                takenElsewhere.add(address);
                assigned.remove(address);
                closing(address, Future.join(closed));
            }
            if (attempt + 1 >= MAX_ATTEMPTS) {
                next.bound.completeExceptionally(new IllegalStateException(
                        "unable to bind guest services after " + MAX_ATTEMPTS + " addresses: " + all.cause().getMessage()));
            } else {
                LOG.debugf("guest %d: %s is in use (%s), trying another address", guest.vmid(), address, all.cause().getMessage());
                bind(guest, null, attempt + 1, next);
            }
        });
    }

    private Future<HttpServer> listen(String address, int port, GuestEndpoint guest) {
        // HTTP/1.1 only, like the small servers in a sandbox: a client's h2c upgrade offer is ignored
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(address).setPort(port)
                .setHttp2ClearTextEnabled(false)
                .setMaxWebSocketFrameSize(16 * 1024 * 1024).setMaxWebSocketMessageSize(16 * 1024 * 1024));
        server.connectionHandler(connection -> guard(guest, port, connection));
        if (port == EXECD_PORT) {
            server.requestHandler(req -> execd.handle(guest, req));
        } else {
            // upgrades are taken in the request handler: Quarkus turns Vert.x's WebSocket handler off
            // JVM-wide (vertx.disableWebsockets) when the application has no WebSocket extension
            server.requestHandler(req -> {
                if ("websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
                    req.toWebSocket().onSuccess(ws -> echo.webSocket(guest, address, port, ws)).onFailure(e -> {
                        if (!req.response().ended() && !req.response().closed()) {
                            req.response().setStatusCode(400).end("not a valid WebSocket handshake\n");
                        }
                    });
                } else {
                    echo.handle(guest, address, port, req);
                }
            });
        }
        return server.listen();
    }

    /**
     * Applies the guest's firewall to a new connection before anything of it is read: a refused
     * (REJECT) connection is reset at once, as PVE's tcp-reset does; a dropped one is never answered,
     * as PVE's DROP is (the kernel has already completed the handshake here, so the client sees a
     * connection that stays silent rather than a connect() that times out), and is reset when the
     * hold ends. The decision is taken here because the connection handler runs while the channel is
     * set up, before its first read.
     */
    private void guard(GuestEndpoint guest, int port, HttpConnection connection) {
        SocketAddress remote = connection.remoteAddress();
        SocketAddress local = connection.localAddress();
        Verdict verdict = guest.gate().admit(remote.hostAddress(), remote.port(), local.hostAddress(), port);
        if (verdict == Verdict.ACCEPT) {
            return;
        }
        // Vert.x offers no reset and no read stop on an HTTP connection: its Netty channel does both
        Channel channel = ((ConnectionBase) connection).channel();
        if (verdict == Verdict.REJECT) {
            reset(channel);
            return;
        }
        channel.config().setAutoRead(false);
        long timer = vertx.setTimer(DROP_HOLD_MS, id -> reset(channel));
        channel.closeFuture().addListener(f -> vertx.cancelTimer(timer));
    }

    /** Closes with a TCP reset (SO_LINGER 0) instead of an orderly FIN. */
    private static void reset(Channel channel) {
        if (channel.isOpen()) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
        }
    }

    private void closeBound(Listeners listeners, String address) {
        List<HttpServer> bound;
        synchronized (this) {
            bound = listeners.servers;
            listeners.servers = List.of();
        }
        if (bound.isEmpty()) {
            listeners.closed.complete(null);
            return;
        }
        execd.killAll(listeners.vmid);
        Future<?> all = Future.join(bound.stream().map(HttpServer::close).toList());
        CompletableFuture<Void> free;
        synchronized (this) {
            free = closing(address, all);
        }
        free.whenComplete((v, e) -> listeners.closed.complete(null));
    }

    /**
     * Remembers a close under way on an address until the ports there are really free, for a bind
     * there to wait for. Vert.x reports a server closed when its channel is; the JDK closes a
     * listening socket registered with a selector only at that selector's next pass, and until then
     * the port still takes connections and a new bind on it fails.
     */
    private CompletableFuture<Void> closing(String address, Future<?> close) {
        CompletableFuture<Void> free = new CompletableFuture<>();
        closing.put(address, free);
        close.onComplete(r -> whenPortsFree(address, System.nanoTime() + FREE_WAIT_NANOS, free));
        free.whenComplete((v, e) -> {
            synchronized (this) {
                closing.remove(address, free);
            }
        });
        return free;
    }

    /** Completes once every port of the address can be bound again (or, if another process took one, after a while). */
    private void whenPortsFree(String address, long deadline, CompletableFuture<Void> free) {
        if (portsFree(address) || System.nanoTime() - deadline > 0) {
            free.complete(null);
        } else {
            vertx.setTimer(1, id -> whenPortsFree(address, deadline, free));
        }
    }

    private static boolean portsFree(String address) {
        List<Integer> ports = new ArrayList<>(ECHO_PORTS);
        ports.add(EXECD_PORT);
        for (int port : ports) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(address, port), 1);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
