package io.sandplane.urlrouter.proxy;

import io.quarkus.arc.ClientProxy;
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
import io.vertx.core.tracing.TracingPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
    private final List<String> deployments = new ArrayList<>();
    private final Set<Integer> boundPorts = ConcurrentHashMap.newKeySet();
    private long activityTimer = -1;

    public ProxyServer(Vertx vertx, RouterConfig config, PublicDomains domains, RouteResolver resolver,
            WakeCoordinator wakes, ActivityRecorder activity, ProxyMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.domains = domains;
        // The proxy calls these on every request from the event loop: skip the CDI client proxies' per-call lookup.
        this.resolver = ClientProxy.unwrap(resolver);
        this.wakes = ClientProxy.unwrap(wakes);
        this.activity = ClientProxy.unwrap(activity);
        this.metrics = ClientProxy.unwrap(metrics);
    }

    void start(@Observes StartupEvent event) throws Exception {
        int instances = config.instances() > 0 ? config.instances() : Math.max(1, Runtime.getRuntime().availableProcessors());
        // Port 0 binds whatever the kernel hands out (never a port picked earlier that someone may have
        // taken since). Vert.x shares a random port among servers only when it is asked for as a negative
        // number (-1: one shared random port); 0 would give every instance a port of its own.
        int listenPort = config.port() == 0 ? -1 : config.port();
        deployments.add(vertx.deployVerticle(() -> new ProxyVerticle(listenPort), new DeploymentOptions().setInstances(instances))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
        if (boundPorts.size() != 1) {
            throw new IllegalStateException("the proxy's instances listen on different ports: " + boundPorts);
        }
        port = boundPorts.iterator().next();
        activityTimer = vertx.setPeriodic(config.activity().interval().toMillis(), id -> activity.tick());
        if (domains.domain().isEmpty()) {
            LOG.warnf("proxy listening on %s:%d, but PVE_PUBLIC_DOMAIN is not set: it will answer 404 to everything",
                    config.host(), port);
        } else {
            LOG.infof("proxy listening on %s:%d for *.%s (%d event-loop instances)", config.host(), port,
                    domains.domain().get().host(), instances);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (activityTimer >= 0) {
            vertx.cancelTimer(activityTimer);
        }
        for (String deployment : deployments) {
            try {
                vertx.undeploy(deployment).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debugf("proxy undeploy: %s", e.getMessage());
            }
        }
        deployments.clear();
        port = -1;
    }

    /** The port the proxy listens on, or -1 while it does not. */
    public int port() {
        return port;
    }

    private final class ProxyVerticle extends AbstractVerticle {

        private final int listenPort;

        ProxyVerticle(int listenPort) {
            this.listenPort = listenPort;
        }

        @Override
        public void start(Promise<Void> started) {
            int idleMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, config.idleTimeout().toMillis()));
            // A client waiting on a quiet service must get the 504 page before its own connection counts as
            // idle: it may wait for the connect timeout plus the service's idle timeout, and a second more.
            int clientIdleMillis = (int) Math.min(Integer.MAX_VALUE, idleMillis + config.connectTimeout().toMillis() + 1000);
            HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                    .setConnectTimeout((int) config.connectTimeout().toMillis())
                    .setIdleTimeout(idleMillis)
                    .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                    .setKeepAlive(true)
                    .setKeepAliveTimeout(60)
                    .setMaxHeaderSize(16 * 1024)
                    .setMaxInitialLineLength(16 * 1024)
                    .setTracingPolicy(TracingPolicy.IGNORE),
                    new PoolOptions().setHttp1MaxSize(512));
            HttpServerOptions options = new HttpServerOptions()
                    .setHost(config.host())
                    .setPort(listenPort)
                    .setIdleTimeout(clientIdleMillis)
                    .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                    // h2c would carry the Host as :authority and skip the HTTP/1.1 checks; the proxy speaks HTTP/1.x.
                    .setHttp2ClearTextEnabled(false)
                    .setCompressionSupported(false)
                    // WebSockets are tunnelled byte for byte, never terminated here: no extension handlers in the pipeline.
                    .setPerMessageWebSocketCompressionSupported(false)
                    .setPerFrameWebSocketCompressionSupported(false)
                    .setDecompressionSupported(false)
                    .setMaxInitialLineLength(16 * 1024)
                    .setMaxHeaderSize(16 * 1024)
                    .setTcpNoDelay(true)
                    .setTracingPolicy(TracingPolicy.IGNORE);
            ProxyHandler handler = new ProxyHandler(context, client, domains.domain(), config, resolver, wakes, activity, metrics);
            vertx.createHttpServer(options)
                    .requestHandler(handler)
                    .listen()
                    .onSuccess(server -> boundPorts.add(server.actualPort()))
                    .<Void>mapEmpty()
                    .onComplete(started);
        }
    }
}
