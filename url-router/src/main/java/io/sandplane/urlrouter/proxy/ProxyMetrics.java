package io.sandplane.urlrouter.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Micrometer meters of the proxy (exposed on 8083 at /q/metrics). */
@ApplicationScoped
public class ProxyMetrics {

    /** How a proxy request ended. */
    public enum Outcome {
        FORWARDED, WEBSOCKET, REDIRECTED, PREFLIGHT, NOT_FOUND, UNAUTHORIZED, PAUSED, WAKE_FAILED, BAD_GATEWAY,
        GATEWAY_TIMEOUT, ROUTING_UNAVAILABLE, BAD_REQUEST
    }

    private final Map<Outcome, Counter> requests = new EnumMap<>(Outcome.class);
    private final Timer upstreamLatency;
    private final Counter wakes;
    private final AtomicInteger openWebSockets = new AtomicInteger();

    public ProxyMetrics(MeterRegistry registry) {
        for (Outcome outcome : Outcome.values()) {
            requests.put(outcome, Counter.builder("sandplane.proxy.requests")
                    .description("Requests received by the proxy, by how they ended")
                    .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        upstreamLatency = Timer.builder("sandplane.proxy.upstream.latency")
                .description("Time from forwarding a request to the sandbox service's response headers")
                // A few fixed buckets (Prometheus computes percentiles from them) rather than Micrometer's ~70
                // percentile buckets: this is recorded for every proxied request, and the search over the
                // buckets was most of the proxy's metrics cost.
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
                        Duration.ofMillis(500), Duration.ofMillis(2500), Duration.ofSeconds(10))
                .register(registry);
        wakes = Counter.builder("sandplane.proxy.wakes")
                .description("Requests that had to wait for a paused sandbox to wake up")
                .register(registry);
        registry.gauge("sandplane.proxy.websockets.open", openWebSockets);
    }

    public void request(Outcome outcome) {
        requests.get(outcome).increment();
    }

    public void upstreamLatency(long nanos) {
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
