package io.sandplane.urlrouter.proxy;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;

/**
 * The current time as an HTTP {@code Date} value, formatted at most once a second: a proxy forwarding
 * an answer that has no {@code Date} must add one (RFC 9110 §6.6.1), and formatting it per response
 * would cost more than the rest of the header handling.
 */
final class HttpDates {

    private record Stamp(long second, String value) {
    }

    private static volatile Stamp current = new Stamp(-1, "");

    private HttpDates() {
    }

    static String now() {
        long second = System.currentTimeMillis() / 1000;
        Stamp stamp = current;
        if (stamp.second() != second) {
            stamp = new Stamp(second, DateFormatter.format(new Date(second * 1000)));
            current = stamp;
        }
        return stamp.value();
    }
}
