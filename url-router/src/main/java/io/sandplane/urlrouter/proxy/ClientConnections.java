package io.sandplane.urlrouter.proxy;

import java.util.concurrent.ConcurrentHashMap;

/**
 * How many connections each client address has open to the proxy, against the operator's limit
 * ({@code SANDPLANE_PROXY_MAX_CONNECTIONS_PER_CLIENT}). Shared by the event loops; touched once when a
 * connection opens and once when it closes, never per request. Without a limit it keeps nothing.
 */
final class ClientConnections {

    private final int limit;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

    /** {@code limit}: at most this many at once per address; 0 or less, no limit. */
    ClientConnections(int limit) {
        this.limit = limit;
    }

    /** Counts a new connection from {@code address} if it stays within the limit; false (and not counted) otherwise. */
    boolean admit(String address) {
        if (limit <= 0) {
            return true;
        }
        boolean[] admitted = { false };
        open.compute(address, (a, count) -> {
            int current = count == null ? 0 : count;
            if (current >= limit) {
                return count;
            }
            admitted[0] = true;
            return current + 1;
        });
        return admitted[0];
    }

    /** A connection {@link #admit} counted has closed. */
    void release(String address) {
        if (limit > 0) {
            open.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
        }
    }

    /** Open connections counted for {@code address}. */
    int open(String address) {
        return open.getOrDefault(address, 0);
    }
}
