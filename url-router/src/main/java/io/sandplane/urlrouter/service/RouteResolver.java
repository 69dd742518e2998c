package io.sandplane.urlrouter.service;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.sandplane.urlrouter.config.RouterConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Resolves a VMID to its route: from a short-lived in-memory cache, else the database (concurrent
 * misses for one VMID share one query). {@link RouteInvalidations} drops entries as soon as the
 * database announces a change; while it is not listening, the cache is bypassed, so no replica
 * routes on stale data for longer than one database round trip.
 */
@ApplicationScoped
public class RouteResolver {

    private final RouteLoader loader;
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    private final AsyncLoadingCache<Integer, Optional<Route>> cache;
    private volatile boolean invalidationsLive;

    public RouteResolver(RouteLoader loader, RouterConfig config) {
        this.loader = loader;
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(config.routeCache().ttl())
                .maximumSize(config.routeCache().maxSize())
                .executor(blocking)
                .buildAsync(loader::load);
    }

    public CompletableFuture<Optional<Route>> resolve(int vmid) {
        if (!invalidationsLive) {
            return CompletableFuture.supplyAsync(() -> loader.load(vmid), blocking);
        }
        return cache.get(vmid);
    }

    /** Drops a VMID's entry, including a load in flight, so the next request reads the database. */
    public void invalidate(int vmid) {
        cache.synchronous().invalidate(vmid);
    }

    public void invalidateAll() {
        cache.synchronous().invalidateAll();
    }

    /** Called by {@link RouteInvalidations}: the cache may only be trusted while changes reach it. */
    void invalidationsLive(boolean live) {
        if (!live) {
            invalidateAll();
        }
        this.invalidationsLive = live;
        if (live) {
            // Changes made while nobody listened were missed.
            invalidateAll();
        }
    }

    @PreDestroy
    void close() {
        blocking.shutdownNow();
    }
}
