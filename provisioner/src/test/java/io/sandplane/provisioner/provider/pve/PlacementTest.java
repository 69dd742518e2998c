package io.sandplane.provisioner.provider.pve;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandplane.provisioner.client.PveTypes;
import io.sandplane.provisioner.provider.StartSpec.TemplateCopy;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlacementTest {

    private static final long GIB = 1L << 30;
    private final List<TemplateCopy> copies = List.of(new TemplateCopy("pve1", 9001), new TemplateCopy("pve1", 9002),
            new TemplateCopy("pve2", 9003), new TemplateCopy("pve3", 9004));

    @Test
    void prefersTheNodeWithTheMostFreeMemoryAndKeepsEveryCopy() {
        List<PveTypes.Node> nodes = List.of(node("pve1", "online", 100, 128), node("pve2", "online", 10, 128),
                node("pve3", "online", 60, 128));
        assertThat(Placement.rank(copies, nodes, Optional.empty())).containsExactly(
                new TemplateCopy("pve2", 9003), new TemplateCopy("pve3", 9004),
                new TemplateCopy("pve1", 9001), new TemplateCopy("pve1", 9002));
    }

    @Test
    void leavesOutOfflineAndUnknownNodes() {
        List<PveTypes.Node> nodes = List.of(node("pve1", "online", 100, 128), node("pve2", "offline", 0, 128));
        assertThat(Placement.rank(copies, nodes, Optional.empty())).extracting(TemplateCopy::node).containsOnly("pve1");
    }

    @Test
    void aPinnedNodeIsTheOnlyChoice() {
        List<PveTypes.Node> nodes = List.of(node("pve1", "online", 100, 128), node("pve2", "online", 0, 128),
                node("pve3", "online", 0, 128));
        assertThat(Placement.rank(copies, nodes, Optional.of("pve1"))).containsExactly(
                new TemplateCopy("pve1", 9001), new TemplateCopy("pve1", 9002));
        assertThat(Placement.rank(copies, nodes, Optional.of("pve9"))).isEmpty();
    }

    private static PveTypes.Node node(String name, String status, long usedGib, long totalGib) {
        return new PveTypes.Node(name, status, usedGib * GIB, totalGib * GIB);
    }
}
