package io.sandplane.sandboxapi.rest.dto;

import com.fasterxml.jackson.annotation.JsonInclude;

/** cmux's answer to {@code GET /api/sandboxes/{id}/status}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CmuxSandboxStatus(boolean running, String vscodeUrl, String workerUrl, String provider) {
}
