package io.sandplane.urlrouter.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Micrometer meters of the proxy (exposed on the management port, 9083, at /q/metrics). */
@ApplicationScoped
public class ProxyMetrics {

    /** How a proxy request ended. */
    public enum Outcome {
        FORWARDED, WEBSOCKET, REDIRECTED, PREFLIGHT, NOT_FOUND, UNAUTHORIZED, PAUSED, WAKE_FAILED, BAD_GATEWAY,
        GATEWAY_TIMEOUT, ROUTING_UNAVAILABLE, BAD_REQUEST, REQUEST_TIMEOUT, TOO_MANY_CONNECTIONS,
        /** The sandbox's address (recorded, or what its FQDN resolved to) is outside the sandbox network or the control plane's. */
        ADDRESS_REFUSED,
        /** The reaper's isolation audit found the sandbox's guest not isolated (its firewall off, its address moved). */
        NOT_ISOLATED
    }

    private static final String REQUESTS_DESCRIPTION = "Requests received by the proxy, by how they ended";

    private final Map<Outcome, Counter> requests = new EnumMap<>(Outcome.class);
    private final Timer upstreamLatency;
    private final Counter wakes;
    private final AtomicInteger openWebSockets = new AtomicInteger();

    public ProxyMetrics(MeterRegistry registry) {
        upstreamLatency = Timer.builder("sandplane.proxy.upstream.latency")
                .description("Time from forwarding a request to the sandbox service's response headers")
                // A few fixed buckets (Prometheus computes percentiles from them) rather than Micrometer's ~70
                // percentile buckets: this is recorded for every proxied request, and the search over the
                // buckets was most of the proxy's metrics cost.
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
                        Duration.ofMillis(500), Duration.ofMillis(2500), Duration.ofSeconds(10))
                .register(registry);
        for (Outcome outcome : Outcome.values()) {
            String tag = outcome.name().toLowerCase(Locale.ROOT);
            if (outcome == Outcome.FORWARDED) {
                // Every forwarded request is timed, so the timer's count is this series: one meter updated per
                // request on the proxy's busiest path instead of two.
                FunctionCounter.builder("sandplane.proxy.requests", upstreamLatency, Timer::count)
                        .description(REQUESTS_DESCRIPTION)
                        .tag("outcome", tag)
                        .register(registry);
            } else {
                requests.put(outcome, Counter.builder("sandplane.proxy.requests")
                        .description(REQUESTS_DESCRIPTION)
                        .tag("outcome", tag)
                        .register(registry));
            }
        }
        wakes = Counter.builder("sandplane.proxy.wakes")
                .description("Requests that had to wait for a paused sandbox to wake up")
                .register(registry);
        registry.gauge("sandplane.proxy.websockets.open", openWebSockets);
    }

    /** A request that ended otherwise than with the service's answer ({@link #forwarded} counts those). */
    public void request(Outcome outcome) {
        if (outcome == Outcome.FORWARDED) {
            throw new IllegalArgumentException("forwarded requests are counted by forwarded(nanos)");
        }
        requests.get(outcome).increment();
    }

    /** The service answered a forwarded request after {@code nanos} (counted as outcome "forwarded"). */
    public void forwarded(long nanos) {
        upstreamLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void wake() {
        wakes.increment();
    }

    public void webSocketOpened() {
        openWebSockets.incrementAndGet();
    }

    public void webSocketClosed() {
        openWebSockets.decrementAndGet();
    }
}
