package io.sandplane.model.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * A command for {@code /bin/sh -c} in the sandbox.
 *
 * @param timeoutMs how long it may run; default {@link #DEFAULT_TIMEOUT_MS}
 */
public record ExecRequest(
        @NotBlank @Size(max = MAX_COMMAND_LENGTH) String command,
        @Min(1) @Max(MAX_TIMEOUT_MS) Long timeoutMs) {

    /**
     * In UTF-8 bytes at the public API (@Size counts characters, never more): the provisioner sends the command
     * base64-encoded inside execd's request body, which execd limits to 1 MiB.
     */
    public static final int MAX_COMMAND_LENGTH = 256 * 1024;
    public static final long DEFAULT_TIMEOUT_MS = 300_000;
    public static final long MAX_TIMEOUT_MS = 3_600_000;

    public long effectiveTimeoutMs() {
        return timeoutMs == null ? DEFAULT_TIMEOUT_MS : timeoutMs;
    }
}
