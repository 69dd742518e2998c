package io.sandplane.sandboxapi.rest.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/** cmux's {@code SandboxHealth}: status healthy|unhealthy|degraded, providerStatus connected|disconnected|error. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SandboxHealthView(String status, String provider, String providerStatus, Long latencyMs,
        Integer templatesAvailable, String error, Instant timestamp) {
}
