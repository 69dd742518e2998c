package io.sandplane.urlrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** On an embedded channel with frozen time: the timer sees exactly the time the test lets pass. */
class IdleTimerTest {

    private static final long TIMEOUT_MILLIS = 800;

    private final AtomicInteger idled = new AtomicInteger();
    private EmbeddedChannel channel;
    private IdleTimer timer;

    @BeforeEach
    void start() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        timer = new IdleTimer(channel, TIMEOUT_MILLIS, idled::incrementAndGet);
    }

    private void pass(long millis) {
        // In small steps, as a running event loop would see them.
        for (long passed = 0; passed < millis; passed += 10) {
            channel.advanceTimeBy(Math.min(10, millis - passed), TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
        }
    }

    @Test
    void aConnectionWithTrafficMoreOftenThanTheTimeoutIsNeverIdle() {
        for (int i = 0; i < 40; i++) {
            pass(TIMEOUT_MILLIS - 100);
            timer.touch();
        }
        assertThat(idled).hasValue(0);
    }

    @Test
    void aQuietConnectionIsReportedOnceBetweenOneAndOneAndAnEighthTimeouts() {
        pass(300);
        timer.touch();
        pass(TIMEOUT_MILLIS - 10);
        assertThat(idled).as("not before the timeout").hasValue(0);
        pass(TIMEOUT_MILLIS / 8 + 20);
        assertThat(idled).hasValue(1);
        pass(10 * TIMEOUT_MILLIS);
        assertThat(idled).as("once").hasValue(1);
    }

    @Test
    void aStoppedTimerOrAClosedChannelReportsNothing() {
        timer.stop();
        pass(3 * TIMEOUT_MILLIS);
        assertThat(idled).hasValue(0);

        IdleTimer onClosed = new IdleTimer(channel, TIMEOUT_MILLIS, idled::incrementAndGet);
        channel.close();
        pass(3 * TIMEOUT_MILLIS);
        assertThat(idled).hasValue(0);
        onClosed.stop();
    }

    @Test
    void whileBusyTheTimerWaitsAndItCountsAFullTimeoutFromTheEndOfTheBusyPhase() {
        timer.stop();
        boolean[] busy = { true };
        AtomicInteger headTimeouts = new AtomicInteger();
        IdleTimer head = new IdleTimer(channel, TIMEOUT_MILLIS, () -> busy[0], headTimeouts::incrementAndGet);
        // A long exchange with no traffic at all: busy, so never reported.
        pass(20 * TIMEOUT_MILLIS);
        assertThat(headTimeouts).hasValue(0);
        busy[0] = false;
        pass(TIMEOUT_MILLIS - 10);
        assertThat(headTimeouts).as("not before a full timeout of not being busy").hasValue(0);
        pass(TIMEOUT_MILLIS / 8 + 20);
        assertThat(headTimeouts).hasValue(1);
        head.stop();
    }
}
