package io.sandplane.urlrouter.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollMode;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.sandplane.urlrouter.service.ServiceAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Connections to sandbox services. Each is opened on the event loop of the client connection that
 * needs it, so a request and its upstream stay on one thread with no locks; after a complete
 * exchange it is kept for reuse by that loop's next request to the same service (keep-alive).
 */
final class Upstreams {

    /** Idle connections kept per service and event loop; more are closed when they come back. */
    private static final int MAX_IDLE_PER_SERVICE = 512;
    /** Idle connections older than this are not reused: services close quiet connections on their own schedule. */
    private static final long REUSE_WITHIN_NANOS = TimeUnit.SECONDS.toNanos(50);
    static final String ENCODER = "http-encoder";
    static final String DECODER = "http-decoder";

    private final ChannelFactory<? extends Channel> channels;
    private final AddressResolverGroup<InetSocketAddress> resolver;
    private final int connectTimeoutMillis;
    private final long idleTimeoutMillis;
    private final boolean epoll;
    private final FastThreadLocal<Map<Key, ArrayDeque<Connection>>> idle = new FastThreadLocal<>() {
        @Override
        protected Map<Key, ArrayDeque<Connection>> initialValue() {
            return new HashMap<>();
        }
    };

    /**
     * @param resolver every address goes through it before a connection opens ({@link SandboxNetworkResolver})
     * @param epoll the channels are Netty's epoll ones, which then read level-triggered (see ProxyServer)
     */
    Upstreams(ChannelFactory<? extends Channel> channels, AddressResolverGroup<InetSocketAddress> resolver,
            int connectTimeoutMillis, long idleTimeoutMillis, boolean epoll) {
        this.channels = channels;
        this.resolver = resolver;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.epoll = epoll;
    }

    /** A service's address: the key of its idle connections (no string built per request). */
    record Key(String host, int port) {
    }

    /** An idle kept-alive connection to the service, or null. Call on the event loop the connection belongs to. */
    Connection reuse(Key key) {
        ArrayDeque<Connection> kept = idle.get().get(key);
        if (kept == null) {
            return null;
        }
        long now = System.nanoTime();
        Connection connection;
        // Most recently used first: the likeliest to be still open at the service's end.
        while ((connection = kept.pollLast()) != null) {
            if (connection.channel.isActive() && now - connection.idleSince < REUSE_WITHIN_NANOS) {
                return connection;
            }
            connection.channel.close();
        }
        return null;
    }

    /**
     * Opens a connection on {@code loop} to an address the route allowed, or to whatever a name resolves to if
     * the sandbox network allows that (else the future fails with {@link AddressRefused});
     * {@link Connection#of} gives its handler once connected.
     */
    ChannelFuture connect(EventLoop loop, ServiceAddress address, int port) {
        InetSocketAddress remote = switch (address) {
            case ServiceAddress.Ip ip -> new InetSocketAddress(ip.address(), port);
            case ServiceAddress.Name name -> InetSocketAddress.createUnresolved(name.host(), port);
            case ServiceAddress.Refused refused -> throw new IllegalArgumentException("refused addresses are never connected to");
        };
        Key key = new Key(address.host(), port);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(channels)
                .resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        // Response headers up to 16 KiB, body in pieces of up to 64 KiB; header values validated.
                        ProxyCodecs.ResponseDecoder decoder = new ProxyCodecs.ResponseDecoder(16 * 1024, 16 * 1024, 64 * 1024);
                        channel.pipeline().addLast(ENCODER, new ProxyCodecs.RequestEncoder());
                        channel.pipeline().addLast(DECODER, decoder);
                        channel.pipeline().addLast(new Connection(Upstreams.this, key, channel, decoder));
                    }
                });
        if (epoll) {
            bootstrap.option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
        }
        return bootstrap.connect(remote);
    }

    /** A connection whose exchange completed cleanly goes back to its loop's idle set. */
    void keep(Connection connection) {
        connection.owner = null;
        connection.idleSince = System.nanoTime();
        ArrayDeque<Connection> kept = idle.get().computeIfAbsent(connection.key, k -> new ArrayDeque<>());
        if (kept.size() >= MAX_IDLE_PER_SERVICE) {
            connection.channel.close();
            return;
        }
        kept.addLast(connection);
    }

    private void forget(Connection connection) {
        ArrayDeque<Connection> kept = idle.get().get(connection.key);
        if (kept != null && kept.remove(connection) && kept.isEmpty()) {
            idle.get().remove(connection.key);
        }
    }

    /** What a connection to a service reports to the client connection it currently serves. */
    interface Owner {
        void fromUpstream(Connection connection, Object message);

        void upstreamReadComplete(Connection connection);

        void upstreamWritabilityChanged(Connection connection);

        void upstreamIdle(Connection connection);

        void upstreamClosed(Connection connection);
    }

    /** One connection to a service: serves one client exchange at a time, idle in between. */
    static final class Connection extends ChannelInboundHandlerAdapter {

        final Upstreams upstreams;
        final Key key;
        final Channel channel;
        Owner owner;
        long idleSince;
        private final IdleTimer idleTimer;
        private final ProxyCodecs.ResponseDecoder decoder;

        Connection(Upstreams upstreams, Key key, Channel channel, ProxyCodecs.ResponseDecoder decoder) {
            this.upstreams = upstreams;
            this.key = key;
            this.channel = channel;
            this.decoder = decoder;
            // From registration on: the connect promise's listeners (which send the request) run before channelActive.
            this.idleTimer = new IdleTimer(channel, upstreams.idleTimeoutMillis, this::idleTimedOut);
        }

        static Connection of(Channel channel) {
            return channel.pipeline().get(Connection.class);
        }

        /** Sends a request's head (its body follows with {@link #write}); sent with the next {@link #flush}. */
        void send(HttpRequest request) {
            decoder.answering(request.method() == HttpMethod.HEAD);
            write(request);
        }

        /** Writes to the service; sent with the next {@link #flush}. */
        void write(Object msg) {
            channel.write(msg, channel.voidPromise());
        }

        void flush() {
            idleTimer.touch();
            channel.flush();
        }

        private void idleTimedOut() {
            if (owner != null) {
                owner.upstreamIdle(this);
            } else {
                channel.close();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (owner != null) {
                owner.fromUpstream(this, msg);
            } else {
                // An idle connection has nothing to say; whatever it sends makes it unusable.
                ReferenceCountUtil.release(msg);
                ctx.close();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            idleTimer.touch();
            if (owner != null) {
                owner.upstreamReadComplete(this);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (owner != null) {
                owner.upstreamWritabilityChanged(this);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            idleTimer.stop();
            Owner served = owner;
            owner = null;
            if (served != null) {
                served.upstreamClosed(this);
            } else {
                upstreams.forget(this);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Reset by the service, or a response that is not HTTP: the owner learns of it as a close.
            ctx.close();
        }
    }
}
