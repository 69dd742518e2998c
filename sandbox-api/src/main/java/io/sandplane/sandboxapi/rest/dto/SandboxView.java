package io.sandplane.sandboxapi.rest.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.lifecycle.TtlAction;
import io.sandplane.model.network.NetworkPolicy;
import io.sandplane.model.provider.Provider;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A sandbox as the public API shows it.
 *
 * @param urls        service name to URL, for the services currently exposed
 * @param network     what the sandbox may reach outbound, as admitted (the start's, else its team's default at the time)
 * @param accessToken only in the answer to the start that created it: the token for {@code token}-auth services
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SandboxView(
        String id,
        SandboxStatus status,
        ProvisionStep step,
        Provider provider,
        String snapshotId,
        String preset,
        Integer presetVersion,
        Integer vmid,
        String node,
        Map<String, String> urls,
        List<ServiceInfo> services,
        int ttlSeconds,
        TtlAction ttlAction,
        Instant expiresAt,
        Integer idleTimeoutSeconds,
        boolean wakeOnHttp,
        Map<String, String> metadata,
        NetworkPolicy network,
        String error,
        Instant createdAt,
        Instant updatedAt,
        String accessToken) {

    public SandboxView withAccessToken(String token) {
        return new SandboxView(id, status, step, provider, snapshotId, preset, presetVersion, vmid, node, urls, services,
                ttlSeconds, ttlAction, expiresAt, idleTimeoutSeconds, wakeOnHttp, metadata, network, error, createdAt, updatedAt,
                token);
    }
}
