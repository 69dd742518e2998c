package io.sandplane.provisioner.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.provisioner.support.Fixtures;
import io.sandplane.provisioner.support.InternalApi;
import io.sandplane.provisioner.support.Sim;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Twenty concurrent starts of one preset: PVE rejects a second concurrent clone of one LXC template,
 * so clones of a copy must be serialised (never an {@code is locked} failure), and several copies
 * must clone in parallel.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class ConcurrentStartsTest {

    private static final int STARTS = 20;

    @Inject
    Fixtures fixtures;

    @BeforeEach
    void freshSimulator() {
        Sim.fresh();
    }

    @Test
    void withOneTemplateCopyClonesRunOneAfterAnotherAndAllSucceed() {
        // The performance preset has copies 9011 (pve1) and 9012 (pve3); retire one for this test.
        fixtures.templateActive(9012, false);
        try {
            Sim.control().setLatencies(Map.of("clone", 60L));
            List<String> ids = startAll(Fixtures.PERFORMANCE);
            List<Clone> clones = clones(ids);
            assertThat(clones).extracting(Clone::template).containsOnly("pve1/9011");
            assertThat(maxOverlap(clones)).as("clones of one template at the same time").isEqualTo(1);
        } finally {
            fixtures.templateActive(9012, true);
        }
    }

    @Test
    void withFourCopiesClonesOverlapButNeverOnOneCopy() {
        Sim.control().setLatencies(Map.of("clone", 250L));
        List<String> ids = startAll(Fixtures.STANDARD);
        List<Clone> clones = clones(ids);
        assertThat(clones).extracting(Clone::template).containsOnly("pve1/9001", "pve1/9002", "pve2/9003", "pve2/9004");
        Map<String, List<Clone>> byCopy = clones.stream().collect(Collectors.groupingBy(Clone::template));
        byCopy.forEach((copy, list) -> assertThat(maxOverlap(list)).as("clones of " + copy).isEqualTo(1));
        assertThat(maxOverlap(clones)).as("clones in parallel across copies").isGreaterThanOrEqualTo(3);
    }

    /** Starts {@link #STARTS} sandboxes at once and checks every one is running on its own VMID. */
    private List<String> startAll(String snapshot) {
        List<String> ids = IntStream.range(0, STARTS).mapToObj(i -> fixtures.sandbox().snapshot(snapshot).insert()).toList();
        ExecutorService pool = Executors.newFixedThreadPool(STARTS);
        try {
            List<CompletableFuture<SandboxState>> calls = ids.stream()
                    .map(id -> CompletableFuture.supplyAsync(() -> InternalApi.provision(id), pool)).toList();
            List<SandboxState> states = calls.stream().map(CompletableFuture::join).toList();
            assertThat(states).allSatisfy(s -> {
                assertThat(s.status()).as(s.id() + ": " + s.error()).isEqualTo(SandboxStatus.RUNNING);
                assertThat(s.error()).isNull();
            });
            assertThat(states).extracting(SandboxState::vmid).doesNotHaveDuplicates();
        } finally {
            pool.shutdownNow();
        }
        // Every clone PVE saw was accepted: no "CT is locked" ever came back.
        assertThat(Sim.control().calls("POST", "/nodes/[^/]+/lxc/\\d+/clone"))
                .hasSize(STARTS)
                .allSatisfy(c -> assertThat(c.status()).as(c.message()).isEqualTo(200));
        return ids;
    }

    record Clone(String template, Instant from, Instant to) {
    }

    /** When each sandbox's clone ran: from "cloning template" (lock taken) to its CLONED step. */
    private List<Clone> clones(List<String> ids) {
        List<Clone> clones = new ArrayList<>();
        for (String id : ids) {
            Sandbox row = fixtures.row(id);
            List<SandboxEvent> events = fixtures.events(id);
            Instant from = events.stream().filter(e -> e.type == SandboxEvent.Type.ACTION && e.detail.startsWith("cloning"))
                    .map(e -> e.at).max(Comparator.naturalOrder()).orElseThrow();
            Instant to = events.stream().filter(e -> e.step == ProvisionStep.CLONED).map(e -> e.at).findFirst().orElseThrow();
            clones.add(new Clone(row.templateNode + "/" + row.templateVmid, from, to));
        }
        return clones;
    }

    /** The largest number of intervals that overlap at one moment. */
    private static int maxOverlap(List<Clone> clones) {
        int max = 0;
        for (Clone c : clones) {
            Instant at = c.from();
            int open = (int) clones.stream().filter(o -> !o.from().isAfter(at) && o.to().isAfter(at)).count();
            max = Math.max(max, open);
        }
        return max;
    }
}
