package io.sandplane.provisioner.provider.pve;

import io.sandplane.provisioner.client.PveTypes;
import io.sandplane.provisioner.provider.StartSpec.TemplateCopy;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Where a start should clone: the template copies on online nodes (only {@code PVE_NODE} if set),
 * the node with the most free memory first. A linked clone stays on its template's node, so
 * choosing a copy chooses the node; the caller takes the first copy whose clone lock is free, so
 * concurrent starts of one preset spread over the copies and clone in parallel.
 */
public final class Placement {

    private Placement() {
    }

    /** Copies in order of preference; empty when no online node (or not the pinned one) holds a copy. */
    public static List<TemplateCopy> rank(List<TemplateCopy> copies, List<PveTypes.Node> nodes, Optional<String> pinnedNode) {
        Map<String, PveTypes.Node> online = nodes.stream()
                .filter(PveTypes.Node::online)
                .collect(Collectors.toMap(PveTypes.Node::node, Function.identity(), (a, b) -> a));
        return copies.stream()
                .filter(c -> online.containsKey(c.node()))
                .filter(c -> pinnedNode.map(c.node()::equals).orElse(true))
                .sorted(Comparator.comparingLong((TemplateCopy c) -> online.get(c.node()).freeMemory()).reversed()
                        .thenComparing(TemplateCopy::node)
                        .thenComparingInt(TemplateCopy::vmid))
                .toList();
    }
}
