package io.sandplane.sandboxapi.rest;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * When a request reached the HTTP server: stamped by the first route handler, before the REST layer
 * routes it, authenticates it and reads its body. A start's {@code Server-Timing} counts from here, so
 * the API's time it reports is most of what the client waits for beyond the provisioner call.
 */
@ApplicationScoped
public class ArrivalTime {

    private static final String KEY = "sandplane.arrivedNanos";

    private final CurrentVertxRequest request;

    public ArrivalTime(CurrentVertxRequest request) {
        this.request = request;
    }

    void stamp(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            ctx.put(KEY, System.nanoTime());
            ctx.next();
        });
    }

    /** The current request's arrival ({@link System#nanoTime()}); {@code fallback} when it was not stamped. */
    public long nanos(long fallback) {
        RoutingContext ctx = request.getCurrent();
        Long arrived = ctx == null ? null : ctx.get(KEY);
        return arrived == null ? fallback : arrived;
    }
}
