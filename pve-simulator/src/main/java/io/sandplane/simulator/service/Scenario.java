package io.sandplane.simulator.service;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * What a simulated cluster starts with: nodes, their storages, and existing guests (templates).
 * Loaded from JSON (the bundled {@code scenario/default.json}, {@code SIM_SCENARIO}, or {@code POST /_sim/scenario}).
 */
@RegisterForReflection
public record Scenario(String dnsSearch, List<NodeSpec> nodes, List<GuestSpec> guests) {

    public Scenario {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        guests = guests == null ? List.of() : List.copyOf(guests);
    }

    /** A node; {@code status} is online, offline or unknown. */
    @RegisterForReflection
    public record NodeSpec(String name, String status, Integer cpus, Long memoryMiB, List<StorageSpec> storages) {
        public NodeSpec {
            storages = storages == null ? List.of() : List.copyOf(storages);
        }
    }

    /** A storage of a node: its type (dir, lvmthin, zfspool, rbd, nfs…), content types and size. */
    @RegisterForReflection
    public record StorageSpec(String storage, String type, List<String> content, long totalGiB, long usedGiB,
                              boolean shared) {
    }

    /** A guest present from the start, e.g. a template; config values as PVE's config file holds them. */
    @RegisterForReflection
    public record GuestSpec(int vmid, String node, String type, String status, Map<String, Object> config) {
    }
}
