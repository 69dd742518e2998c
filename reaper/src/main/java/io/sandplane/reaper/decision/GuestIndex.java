package io.sandplane.reaper.decision;

import io.sandplane.model.api.GuestInventory;
import io.sandplane.model.api.GuestInventory.ManagedGuest;
import io.sandplane.model.api.GuestInventory.NodeGuests;
import io.sandplane.model.pve.GuestTags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The guest inventory indexed for the rules. Only nodes whose list call succeeded contribute
 * guests: a failed list is not an empty list.
 */
public final class GuestIndex {

    /** A listed guest with its parsed tags. */
    public record TaggedGuest(ManagedGuest guest, GuestTags tags) {
    }

    private final Set<String> listedNodes = new HashSet<>();
    private final Set<String> unlistedNodes = new HashSet<>();
    private final Map<Integer, List<TaggedGuest>> byVmid = new HashMap<>();
    private final List<TaggedGuest> all = new ArrayList<>();

    public GuestIndex(GuestInventory inventory) {
        for (NodeGuests node : inventory.nodes()) {
            if (!node.listed() || node.guests() == null) {
                unlistedNodes.add(node.node());
                continue;
            }
            listedNodes.add(node.node());
            for (ManagedGuest guest : node.guests()) {
                // The provisioner's node field wins; a guest without one belongs to the node it was listed on.
                ManagedGuest located = guest.node() != null ? guest
                        : new ManagedGuest(guest.vmid(), node.node(), guest.status(), guest.name(), guest.tags(), guest.lock());
                TaggedGuest tagged = new TaggedGuest(located, GuestTags.parse(located.tags()));
                all.add(tagged);
                byVmid.computeIfAbsent(located.vmid(), v -> new ArrayList<>(1)).add(tagged);
            }
        }
        // A node listed twice with one failure counts as unlisted: nothing may be concluded about it.
        listedNodes.removeAll(unlistedNodes);
    }

    /** Guests on nodes whose list call succeeded. */
    public List<TaggedGuest> guests() {
        return all;
    }

    public boolean listed(String node) {
        return node != null && listedNodes.contains(node);
    }

    public Set<String> unlistedNodes() {
        return unlistedNodes;
    }

    /** Every node's list was read, and there was at least one node. */
    public boolean complete() {
        return unlistedNodes.isEmpty() && !listedNodes.isEmpty();
    }

    public boolean anyGuestWithVmid(int vmid) {
        return byVmid.containsKey(vmid);
    }

    /** A listed guest is this sandbox's: its VMID, and its sandbox tag if it has one. */
    public boolean hasGuestOf(String sandboxId, int vmid) {
        for (TaggedGuest g : byVmid.getOrDefault(vmid, List.of())) {
            if (g.tags().sandboxId().map(sandboxId::equals).orElse(true)) {
                return true;
            }
        }
        return false;
    }
}
