package io.sandplane.urlrouter.support;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback addresses for test guests, in this JVM's own guest network 127.X.0.0/16 (X random, 20–219, so
 * that suites running at once on one machine, other worktrees, CI, do not collide), inside the test
 * profile's sandbox network (127.0.0.0/8) and outside its control plane (127.0.0.0/16, where the tests'
 * own listeners are).
 */
public final class GuestAddresses {

    private static final int NETWORK = 20 + new Random().nextInt(200);
    private static final AtomicInteger NEXT = new AtomicInteger(1);

    private GuestAddresses() {
    }

    /** A fresh address; the caller takes the next one if someone else holds it. */
    public static String next() {
        int n = NEXT.getAndIncrement();
        return "127." + NETWORK + "." + (n / 250) + "." + (n % 250 + 1);
    }
}
