package io.sandplane.urlrouter.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.sandplane.urlrouter.config.RouterConfig;
import io.sandplane.urlrouter.repository.SandboxRepository;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Records {@code sandboxes.last_activity_at} for the reaper's idle pause: at most one write per
 * sandbox per interval (per replica, and the UPDATE's condition bounds replicas together), written
 * off the request path. A WebSocket counts as activity for as long as it is open.
 */
@ApplicationScoped
public class ActivityRecorder {

    private static final Logger LOG = Logger.getLogger(ActivityRecorder.class);

    private final SandboxRepository sandboxes;
    private final Duration interval;
    private final Clock clock;
    private final ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor();
    private final long intervalMillis;
    /** Epoch milliseconds of each sandbox's last write (or write under way). */
    private final Map<String, Long> lastWritten = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> openWebSockets = new ConcurrentHashMap<>();

    public ActivityRecorder(SandboxRepository sandboxes, RouterConfig config) {
        this.sandboxes = sandboxes;
        this.interval = config.activity().interval();
        this.intervalMillis = interval.toMillis();
        this.clock = Clock.systemUTC();
    }

    /** A request reached the sandbox; cheap enough for the event loop. */
    public void touch(String sandboxId) {
        long now = clock.millis();
        Long last = lastWritten.get(sandboxId);
        if (last != null && now - last < intervalMillis) {
            // The common case under load: a plain read, no lock, no allocation.
            return;
        }
        boolean[] due = new boolean[1];
        lastWritten.compute(sandboxId, (id, previous) -> {
            if (previous == null || now - previous >= intervalMillis) {
                due[0] = true;
                return now;
            }
            return previous;
        });
        if (due[0]) {
            writer.execute(() -> write(sandboxId, Instant.ofEpochMilli(now)));
        }
    }

    public void webSocketOpened(String sandboxId) {
        openWebSockets.computeIfAbsent(sandboxId, id -> new AtomicInteger()).incrementAndGet();
        touch(sandboxId);
    }

    public void webSocketClosed(String sandboxId) {
        openWebSockets.computeIfPresent(sandboxId, (id, count) -> count.decrementAndGet() <= 0 ? null : count);
        touch(sandboxId);
    }

    public int openWebSockets() {
        return openWebSockets.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Run every interval: open WebSockets keep their sandbox active; forgets sandboxes gone quiet. */
    public void tick() {
        openWebSockets.keySet().forEach(this::touch);
        long forgetBefore = clock.millis() - 2 * intervalMillis;
        lastWritten.entrySet().removeIf(e -> e.getValue() < forgetBefore && !openWebSockets.containsKey(e.getKey()));
    }

    private void write(String sandboxId, Instant at) {
        try {
            QuarkusTransaction.requiringNew().run(
                    () -> sandboxes.recordActivity(sandboxId, at, at.minus(interval).plusMillis(1)));
        } catch (RuntimeException e) {
            // Activity is advisory; losing one write only delays an idle pause decision by an interval.
            LOG.debugf("could not record activity of %s: %s", sandboxId, e.getMessage());
            lastWritten.remove(sandboxId);
        }
    }

    @PreDestroy
    void close() {
        writer.shutdown();
    }
}
