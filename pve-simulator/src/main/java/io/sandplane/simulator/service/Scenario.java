package io.sandplane.simulator.service;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * What a simulated cluster starts with: nodes, their storages, existing guests (templates) and the
 * datacenter firewall. Loaded from JSON (the bundled {@code scenario/default.json}, {@code SIM_SCENARIO},
 * or {@code POST /_sim/scenario}).
 */
@RegisterForReflection
public record Scenario(String dnsSearch, List<NodeSpec> nodes, List<GuestSpec> guests, FirewallSpec firewall) {

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

    /**
     * The datacenter firewall ({@code cluster.fw}): options (as {@code PUT /cluster/firewall/options}
     * takes them), IP sets and security groups. Absent: no cluster.fw, the firewall off.
     */
    @RegisterForReflection
    public record FirewallSpec(Map<String, Object> options, List<IpsetSpec> ipsets, List<GroupSpec> groups) {
        public FirewallSpec {
            options = options == null ? Map.of() : Map.copyOf(options);
            ipsets = ipsets == null ? List.of() : List.copyOf(ipsets);
            groups = groups == null ? List.of() : List.copyOf(groups);
        }
    }

    /** A cluster IP set and its entries. */
    @RegisterForReflection
    public record IpsetSpec(String name, String comment, List<EntrySpec> entries) {
        public IpsetSpec {
            entries = entries == null ? List.of() : List.copyOf(entries);
        }
    }

    /** An IP set entry: an address or network, {@code nomatch} to exclude it. */
    @RegisterForReflection
    public record EntrySpec(String cidr, Boolean nomatch, String comment) {
    }

    /**
     * A security group and its rules in order, each with the parameters the rule API takes
     * ({@code type}, {@code action}, {@code source}, {@code proto}, {@code dport}, …); a rule is
     * enabled unless it says {@code enable: 0}, as a line of the config file is.
     */
    @RegisterForReflection
    public record GroupSpec(String group, String comment, List<Map<String, Object>> rules) {
        public GroupSpec {
            rules = rules == null ? List.of() : List.copyOf(rules);
        }
    }

    /** A guest present from the start, e.g. a template; config values as PVE's config file holds them. */
    @RegisterForReflection
    public record GuestSpec(int vmid, String node, String type, String status, Map<String, Object> config) {
    }
}
