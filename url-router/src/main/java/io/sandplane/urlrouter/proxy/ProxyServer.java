package io.sandplane.urlrouter.proxy;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sandplane.urlrouter.config.RouterConfig;
import io.sandplane.urlrouter.service.ActivityRecorder;
import io.sandplane.urlrouter.service.PublicDomains;
import io.sandplane.urlrouter.service.RouteResolver;
import io.sandplane.urlrouter.service.WakeCoordinator;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The public proxy listener, separate from the Quarkus HTTP server: only proxy traffic reaches it,
 * so {@code /internal}, {@code /q/health} and {@code /q/metrics} can never be reached through it.
 * One verticle per event loop, each with its own upstream client so a request and its upstream
 * connection stay on one thread.
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
    private final ProxyMetrics metrics;
    private volatile int port = -1;
    private String deployment;
    private long activityTimer = -1;

    public ProxyServer(Vertx vertx, RouterConfig config, PublicDomains domains, RouteResolver resolver,
            WakeCoordinator wakes, ActivityRecorder activity, ProxyMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.domains = domains;
        this.resolver = resolver;
        this.wakes = wakes;
        this.activity = activity;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) throws Exception {
        int listenPort = config.port() == 0 ? freePort() : config.port();
        int instances = config.instances() > 0 ? config.instances() : Math.max(1, Runtime.getRuntime().availableProcessors());
        deployment = vertx.deployVerticle(() -> new ProxyVerticle(listenPort), new DeploymentOptions().setInstances(instances))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        port = listenPort;
        activityTimer = vertx.setPeriodic(config.activity().interval().toMillis(), id -> activity.tick());
        if (domains.domain().isEmpty()) {
            LOG.warnf("proxy listening on %s:%d, but PVE_PUBLIC_DOMAIN is not set: it will answer 404 to everything",
                    config.host(), port);
        } else {
            LOG.infof("proxy listening on %s:%d for *.%s", config.host(), port, domains.domain().get().host());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (activityTimer >= 0) {
            vertx.cancelTimer(activityTimer);
        }
        if (deployment != null) {
            try {
                vertx.undeploy(deployment).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debugf("proxy undeploy: %s", e.getMessage());
            }
            port = -1;
        }
    }

    /** The port the proxy listens on, or -1 while it does not. */
    public int port() {
        return port;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the proxy", e);
        }
    }

    private final class ProxyVerticle extends AbstractVerticle {

        private final int listenPort;

        ProxyVerticle(int listenPort) {
            this.listenPort = listenPort;
        }

        @Override
        public void start(Promise<Void> started) {
            int idleSeconds = (int) Math.max(1, config.idleTimeout().toSeconds());
            HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                    .setConnectTimeout((int) config.connectTimeout().toMillis())
                    .setIdleTimeout(idleSeconds)
                    .setKeepAlive(true)
                    .setKeepAliveTimeout(60)
                    .setMaxHeaderSize(16 * 1024)
                    .setMaxInitialLineLength(16 * 1024),
                    new PoolOptions().setHttp1MaxSize(512));
            HttpServerOptions options = new HttpServerOptions()
                    .setHost(config.host())
                    .setPort(listenPort)
                    .setIdleTimeout(idleSeconds)
                    // h2c would carry the Host as :authority and skip the HTTP/1.1 checks; the proxy speaks HTTP/1.x.
                    .setHttp2ClearTextEnabled(false)
                    .setCompressionSupported(false)
                    .setDecompressionSupported(false)
                    .setMaxInitialLineLength(16 * 1024)
                    .setMaxHeaderSize(16 * 1024)
                    .setTcpNoDelay(true);
            ProxyHandler handler = new ProxyHandler(context, client, domains.domain(), config, resolver, wakes, activity, metrics);
            vertx.createHttpServer(options)
                    .requestHandler(handler)
                    .listen()
                    .<Void>mapEmpty()
                    .onComplete(started);
        }
    }
}
