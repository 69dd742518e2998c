package io.sandplane.urlrouter.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollMode;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.quarkus.arc.ClientProxy;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sandplane.urlrouter.config.RouterConfig;
import io.sandplane.urlrouter.network.SandboxNetwork;
import io.sandplane.urlrouter.service.ActivityRecorder;
import io.sandplane.urlrouter.service.AddressRefusals;
import io.sandplane.urlrouter.service.PublicDomains;
import io.sandplane.urlrouter.service.RouteResolver;
import io.sandplane.urlrouter.service.WakeCoordinator;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.spi.transport.Transport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The public proxy listener, separate from the Quarkus HTTP server: only proxy traffic reaches it,
 * so {@code /internal}, {@code /q/health} and {@code /q/metrics} can never be reached through it.
 * Netty directly, on event loops of its own (one per core by default): a client connection and
 * the service connections it uses stay on one thread.
 */
@ApplicationScoped
public class ProxyServer {

    private static final Logger LOG = Logger.getLogger(ProxyServer.class);

    private final Vertx vertx;
    private final RouterConfig config;
    private final PublicDomains domains;
    private final RouteResolver resolver;
    private final WakeCoordinator wakes;
    private final ActivityRecorder activity;
    private final AddressRefusals refusals;
    private final ProxyMetrics metrics;
    private final SandboxNetwork network;
    private volatile int port = -1;
    private EventLoopGroup group;
    private Channel server;
    private long activityTimer = -1;

    public ProxyServer(Vertx vertx, RouterConfig config, PublicDomains domains, RouteResolver resolver,
            WakeCoordinator wakes, ActivityRecorder activity, AddressRefusals refusals, ProxyMetrics metrics, SandboxNetwork network) {
        this.vertx = vertx;
        this.config = config;
        this.domains = domains;
        // The proxy calls these on every request from the event loop: skip the CDI client proxies' per-call lookup.
        this.resolver = ClientProxy.unwrap(resolver);
        this.wakes = ClientProxy.unwrap(wakes);
        this.activity = ClientProxy.unwrap(activity);
        this.refusals = ClientProxy.unwrap(refusals);
        this.metrics = ClientProxy.unwrap(metrics);
        this.network = network;
    }

    void start(@Observes StartupEvent event) throws Exception {
        int threads = config.instances() > 0 ? config.instances() : Math.max(1, Runtime.getRuntime().availableProcessors());
        // Vert.x's transport: Netty's epoll where it loads (quarkus.vertx.prefer-native-transport), NIO elsewhere,
        // and its resolver for services recorded by FQDN (the JDK's, which blocks, unless quarkus.vertx.use-async-dns is
        // set), behind the sandbox network's judge.
        VertxInternal internal = (VertxInternal) vertx;
        Transport transport = internal.transport();
        group = transport.eventLoopGroup(Transport.IO_EVENT_LOOP_GROUP, threads, new DefaultThreadFactory("sandplane-proxy", true), 50);
        int upstreamIdleMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, config.idleTimeout().toMillis()));
        // A client waiting on a quiet service must get the 504 page before its own connection counts as
        // idle: it may wait for the connect timeout plus the service's idle timeout, and a second more.
        long clientIdleMillis = upstreamIdleMillis + config.connectTimeout().toMillis() + 1000;
        // Level-triggered epoll: edge-triggered (Netty's default) reads every socket until the kernel has nothing
        // more, which costs one extra read() per request on each side; level-triggered stops at a short read.
        boolean epoll = group instanceof EpollEventLoopGroup;
        Upstreams upstreams = new Upstreams(transport.channelFactory(false),
                new SandboxNetworkResolver(internal.nettyAddressResolverGroup(), network),
                (int) config.connectTimeout().toMillis(), upstreamIdleMillis, epoll);
        ProxyRuntime runtime = new ProxyRuntime(domains.domain(), config, resolver, wakes, activity, refusals, metrics, upstreams,
                clientIdleMillis);
        ServerBootstrap bootstrap = new ServerBootstrap();
        if (epoll) {
            bootstrap.childOption(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
        }
        server = bootstrap
                .group(group)
                .channelFactory(transport.serverChannelFactory(false))
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        // HTTP/1.x only (no h2c: it would carry the Host as :authority and skip these checks); request
                        // line and headers up to 16 KiB each, bodies relayed in pieces of up to 64 KiB.
                        ProxyCodecs.RequestDecoder decoder = new ProxyCodecs.RequestDecoder(16 * 1024, 16 * 1024, 64 * 1024);
                        ProxyCodecs.ResponseEncoder encoder = new ProxyCodecs.ResponseEncoder();
                        channel.pipeline().addLast(decoder, encoder, new ProxyConnection(runtime, decoder, encoder));
                    }
                })
                .bind(config.host(), config.port())
                .sync()
                .channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
        activityTimer = vertx.setPeriodic(config.activity().interval().toMillis(), id -> activity.tick());
        if (domains.domain().isEmpty()) {
            LOG.warnf("proxy listening on %s:%d, but PVE_PUBLIC_DOMAIN is not set: it will answer 404 to everything",
                    config.host(), port);
        } else {
            LOG.infof("proxy listening on %s:%d for *.%s (%d event loops)", config.host(), port,
                    domains.domain().get().host(), threads);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (activityTimer >= 0) {
            vertx.cancelTimer(activityTimer);
        }
        port = -1;
        if (server != null) {
            server.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        if (group != null) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    /** The port the proxy listens on, or -1 while it does not. */
    public int port() {
        return port;
    }
}
