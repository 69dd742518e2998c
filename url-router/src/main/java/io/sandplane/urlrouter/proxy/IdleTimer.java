package io.sandplane.urlrouter.proxy;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Notices a connection that had no traffic for its timeout. Traffic only sets a flag ({@link #touch});
 * a timer on the connection's event loop looks at it eight times per timeout, so a quiet connection is
 * reported after between one and one and an eighth timeouts.
 *
 * <p>With a {@code busy} condition it watches a phase rather than all traffic: a check that finds the
 * connection busy counts as traffic. The proxy's head timer is one: it is busy during an exchange and
 * touched when a request's head arrives, so it reports a client that takes too long to send a head,
 * whatever it trickles meanwhile.
 *
 * <p>Instead of Netty's IdleStateHandler, which reads the clock on every read and adds a listener to
 * every write: on the proxy's path that was a few per cent of its CPU per request.
 */
final class IdleTimer implements Runnable {

    private static final int CHECKS_PER_TIMEOUT = 8;

    private final Channel channel;
    private final long checkNanos;
    private final Runnable onIdle;
    private final BooleanSupplier busy;
    private boolean touched = true;
    private int quietChecks;
    private ScheduledFuture<?> next;

    /** Starts watching {@code channel} (registered, maybe still connecting); {@code onIdle} runs on its event loop, once. */
    IdleTimer(Channel channel, long timeoutMillis, Runnable onIdle) {
        this(channel, timeoutMillis, () -> false, onIdle);
    }

    /** Like the other constructor; a check that finds {@code busy} true counts as traffic. */
    IdleTimer(Channel channel, long timeoutMillis, BooleanSupplier busy, Runnable onIdle) {
        this.channel = channel;
        this.checkNanos = Math.max(1, TimeUnit.MILLISECONDS.toNanos(timeoutMillis) / CHECKS_PER_TIMEOUT);
        this.onIdle = onIdle;
        this.busy = busy;
        schedule();
    }

    /** There was traffic. */
    void touch() {
        touched = true;
    }

    void stop() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
    }

    @Override
    public void run() {
        next = null;
        if (!channel.isOpen()) {
            return;
        }
        if (touched || busy.getAsBoolean()) {
            touched = false;
            quietChecks = 0;
        } else if (++quietChecks >= CHECKS_PER_TIMEOUT) {
            onIdle.run();
            return;
        }
        schedule();
    }

    private void schedule() {
        next = channel.eventLoop().schedule(this, checkNanos, TimeUnit.NANOSECONDS);
    }
}
