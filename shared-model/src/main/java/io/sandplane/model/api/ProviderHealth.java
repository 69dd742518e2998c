package io.sandplane.model.api;

import io.sandplane.model.provider.Provider;
import java.time.Instant;
import java.util.List;

/**
 * @param missingTemplates catalog templates the hypervisor does not have, as {@code node/vmid}
 * @param error            why starts cannot work: the hypervisor unreachable, or its firewall not ready; no secrets
 * @param firewall         the hypervisor's firewall as Sandplane needs it; null for a provider without one
 */
public record ProviderHealth(
        Provider provider,
        boolean reachable,
        long latencyMs,
        int templatesExpected,
        int templatesPresent,
        List<String> missingTemplates,
        String error,
        Firewall firewall) {

    public boolean healthy() {
        return reachable && templatesPresent > 0 && (firewall == null || !firewall.blocksStarts());
    }

    /**
     * The firewall that isolates guests.
     *
     * @param mode              {@code enforce} (every guest behind it) or {@code off} (no isolation)
     * @param datacenterEnabled the hypervisor's cluster-wide switch, as read now; without it no guest is filtered
     * @param reconciledAt      when the shared objects (IP sets, security groups) were last found or made right
     * @param problem           what keeps starts from being isolated, with what to do; null when nothing does
     */
    public record Firewall(String mode, boolean datacenterEnabled, Instant reconciledAt, String problem) {

        /** In {@code enforce} mode a start refuses to run a guest the firewall cannot isolate. */
        public boolean blocksStarts() {
            return "enforce".equals(mode) && problem != null;
        }
    }
}
