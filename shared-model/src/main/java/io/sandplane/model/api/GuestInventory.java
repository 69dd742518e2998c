package io.sandplane.model.api;

import java.time.Instant;
import java.util.List;

/**
 * Sandplane's guests as the hypervisor reports them. A node whose list call failed has
 * {@code listed = false}: a failed list is not an empty list, and nothing may be concluded about
 * that node's guests.
 */
public record GuestInventory(Instant observedAt, List<NodeGuests> nodes) {

    public record NodeGuests(String node, boolean listed, String error, List<ManagedGuest> guests) {
    }

    /**
     * A guest tagged {@code sandplane}.
     *
     * @param status PVE's status ({@code running}, {@code stopped})
     * @param tags   the tag string as PVE returns it
     * @param lock   PVE's config lock, if any ({@code create}, {@code disk}, …)
     */
    public record ManagedGuest(int vmid, String node, String status, String name, String tags, String lock) {
    }
}
