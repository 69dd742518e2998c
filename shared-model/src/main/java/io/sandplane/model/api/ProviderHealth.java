package io.sandplane.model.api;

import io.sandplane.model.provider.Provider;
import java.util.List;

/**
 * @param missingTemplates catalog templates the hypervisor does not have, as {@code node/vmid}
 * @param error            why the hypervisor is unreachable, without secrets
 */
public record ProviderHealth(
        Provider provider,
        boolean reachable,
        long latencyMs,
        int templatesExpected,
        int templatesPresent,
        List<String> missingTemplates,
        String error) {

    public boolean healthy() {
        return reachable && templatesPresent > 0;
    }
}
