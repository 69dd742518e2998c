package io.sandplane.sandboxapi.rest.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.sandplane.model.network.NetworkPolicyRequest;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A start. Give {@code snapshotId} or {@code preset} (with an optional {@code version}), or neither
 * for the default preset's latest version. Limits (TTL, metadata) are checked against the configuration.
 */
@Schema(description = "Start a sandbox")
public record CreateSandboxRequest(
        @Schema(examples = "snapshot_std4c8g1", description = "snapshot_<id>, <provider>_<preset>_v<n> or pve_<preset>_<templateVmid>")
        String snapshotId,
        @Schema(examples = "4vcpu_8gb_32gb") String preset,
        @Schema(description = "preset version; latest when absent") Integer version,
        @Schema(description = "lifetime in seconds; default 3600") Long ttlSeconds,
        @Schema(description = "what happens when the TTL runs out: stop, pause (default) or delete", examples = "pause") String ttlAction,
        @Schema(description = "pause after this many seconds without proxy traffic") Long idleTimeoutSeconds,
        @Schema(description = "a request through the proxy wakes a paused sandbox") Boolean wakeOnHttp,
        Map<String, String> metadata,
        // Left out of the request's identity when absent, so a start without it hashes as it did before there was one.
        @JsonInclude(JsonInclude.Include.NON_NULL)
        @Schema(description = "outbound network policy; the team's default when absent. egress: open, deny-private or"
                + " allow-list; allow (allow-list only): [{cidr, protocol: tcp (default) | udp | any, ports: \"443\" |"
                + " \"8000-9000\" | \"80,443\" (default: every port)}]",
                examples = "{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"203.0.113.0/24\",\"ports\":\"443\"}]}")
        NetworkPolicyRequest network,
        @JsonProperty("wait") @Schema(description = "answer when RUNNING (201, default) or at once (202)") Boolean waitFor) {

    public boolean waitForRunning() {
        return waitFor == null || waitFor;
    }
}
