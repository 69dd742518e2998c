package io.sandplane.sandboxapi.rest.dto;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * cmux's {@code StartSandboxResponse}, plus {@code accessToken}: the sandbox's services are exposed with
 * token auth, and this answer is the only place a cmux client can learn the token (cmux ignores
 * members it does not know). Absent on a replayed start, as on the native API.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StartSandboxResponse(String instanceId, String vscodeUrl, String workerUrl, String vncUrl, String xtermUrl,
        String provider, String accessToken) {
}
