package io.sandplane.sandboxapi.service;

import java.time.Instant;

/**
 * The state of a team's start limit, for the {@code X-RateLimit-*} headers.
 *
 * @param reset when a slot frees up (the oldest counted start leaves the window)
 */
public record RateWindow(int limit, int remaining, Instant reset) {
}
