package io.sandplane.provisioner.client;

import java.time.Duration;

/**
 * Pauses between polls of something that changes on its own (a task, an address, a lock):
 * 2 ms first, so fast things are seen at once, doubling up to a maximum.
 */
public final class Poller {

    private final long maxNanos;
    private long nextNanos = Duration.ofMillis(2).toNanos();

    public Poller(Duration max) {
        this.maxNanos = Math.max(max.toNanos(), nextNanos);
    }

    public void pause() {
        try {
            Thread.sleep(Duration.ofNanos(nextNanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
        nextNanos = Math.min(maxNanos, nextNanos * 2);
    }
}
