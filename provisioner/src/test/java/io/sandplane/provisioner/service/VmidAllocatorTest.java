package io.sandplane.provisioner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.provisioner.config.ProvisionerSettings.VmidRange;
import io.sandplane.provisioner.repository.VmidAllocationRepository;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** VMID allocation on the real PostgreSQL; each test uses its own cluster name, so tests never share a cursor. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class VmidAllocatorTest {

    @Inject
    VmidAllocator allocator;

    @Inject
    VmidAllocationRepository allocations;

    @Test
    void concurrentAllocationsNeverHandOutTheSameVmid() throws Exception {
        String cluster = cluster();
        VmidRange range = new VmidRange(1000, 1999);
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String sandbox = "sbx-" + i;
            calls.add(() -> QuarkusTransaction.requiringNew().call(() -> allocator.allocateIn(cluster, range, sandbox)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            Set<Integer> vmids = new HashSet<>();
            for (Future<Integer> f : pool.invokeAll(calls)) {
                vmids.add(f.get());
            }
            assertThat(vmids).hasSize(40).allSatisfy(v -> assertThat(v).isBetween(1000, 1039));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFreedVmidIsNotReusedUntilTheRangeHasGoneRound() {
        String cluster = cluster();
        VmidRange range = new VmidRange(100, 102);
        int first = allocate(cluster, range, "a");
        int second = allocate(cluster, range, "b");
        assertThat(List.of(first, second)).containsExactly(100, 101);
        release(cluster, "a", first);
        // 100 is free again, but the cursor moves on: 102 comes first.
        assertThat(allocate(cluster, range, "c")).isEqualTo(102);
        // Then the search wraps, skips 101 (held by b) and takes the freed 100.
        assertThat(allocate(cluster, range, "d")).isEqualTo(100);
        assertThatThrownBy(() -> allocate(cluster, range, "e"))
                .isInstanceOf(ProblemException.class)
                .hasMessageContaining("every VMID in 100-102")
                .satisfies(e -> assertThat(((ProblemException) e).status()).isEqualTo(503));
    }

    @Test
    void aCursorOutsideANarrowedRangeStartsAtItsBeginning() {
        String cluster = cluster();
        assertThat(allocate(cluster, new VmidRange(5000, 5010), "a")).isEqualTo(5000);
        assertThat(allocate(cluster, new VmidRange(300, 310), "b")).isEqualTo(300);
        assertThat(allocate(cluster, new VmidRange(300, 310), "c")).isEqualTo(301);
    }

    @Test
    void releasingAllGivesBackEverythingASandboxHolds() {
        String cluster = cluster();
        VmidRange range = new VmidRange(700, 799);
        int a = allocate(cluster, range, "held");
        int b = allocate(cluster, range, "held");
        allocate(cluster, range, "other");
        int released = QuarkusTransaction.requiringNew().call(() ->
                allocations.release(cluster, "held", Optional.empty(), Instant.now()));
        assertThat(released).isEqualTo(2);
        assertThat(QuarkusTransaction.requiringNew().call(() -> allocations.allocatedBetween(cluster, 700, 799)))
                .doesNotContain(a, b).hasSize(1);
    }

    private int allocate(String cluster, VmidRange range, String sandbox) {
        return QuarkusTransaction.requiringNew().call(() -> allocator.allocateIn(cluster, range, sandbox));
    }

    private void release(String cluster, String sandbox, int vmid) {
        QuarkusTransaction.requiringNew().run(() -> allocations.release(cluster, sandbox, Optional.of(vmid), Instant.now()));
    }

    private static String cluster() {
        return "test-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
