package io.sandplane.sandboxapi.rest.dto;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A command for {@code /bin/sh -c} in the sandbox. */
public record ExecBody(@Schema(examples = "uname -a") String command,
        @Schema(description = "default 300000, at most 3600000") Long timeoutMs) {
}
