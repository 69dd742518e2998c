package io.sandplane.sandboxapi.rest.dto;

import java.time.Instant;

/** cmux's {@code GET /api/health}. */
public record CmuxHealth(String status, Instant timestamp, String version, long uptime) {
}
