package io.sandplane.sandboxapi.rest.dto;

import com.fasterxml.jackson.annotation.JsonInclude;

/** cmux's {@code StartSandboxResponse}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StartSandboxResponse(String instanceId, String vscodeUrl, String workerUrl, String vncUrl, String xtermUrl,
        String provider) {
}
