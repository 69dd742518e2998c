package io.sandplane.sandboxapi.rest.dto;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * @param name     service name; the well-known name of the port (vscode, preview, …) or {@code port-<port>} when absent
 * @param authMode {@code token} (default) or {@code public}
 */
public record ExposeBody(@Schema(examples = "preview") String name, @Schema(examples = "5173") Integer port,
        @Schema(examples = "token", description = "token (default) or public") String authMode) {
}
