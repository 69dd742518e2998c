package io.sandplane.provisioner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.provisioner.provider.StartSpec.TemplateCopy;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-sandbox operation lock and the per-template clone lock, on the real PostgreSQL. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class LocksTest {

    @Inject
    OperationLocks locks;

    @Inject
    CloneLock cloneLock;

    @Test
    void oneOperationPerSandboxAtATime() {
        String id = SandboxIds.newId();
        try (LockSession first = locks.lockSandbox(id, Duration.ofSeconds(5))) {
            assertThat(locks.tryLockSandbox(id)).isEmpty();
            assertThat(locks.tryLockSandbox(SandboxIds.newId())).hasValueSatisfying(LockSession::close);
            assertThatThrownBy(() -> locks.lockSandbox(id, Duration.ofMillis(200)))
                    .isInstanceOf(ProblemException.class)
                    .satisfies(e -> assertThat(((ProblemException) e).status()).isEqualTo(409));
        }
        assertThat(locks.tryLockSandbox(id)).hasValueSatisfying(LockSession::close);
    }

    @Test
    void aWaitingOperationGetsTheLockWhenTheHolderFinishes() throws Exception {
        String id = SandboxIds.newId();
        LockSession holder = locks.lockSandbox(id, Duration.ofSeconds(5));
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            try (LockSession s = locks.lockSandbox(id, Duration.ofSeconds(20))) {
                return s.holds(OperationLocks.sandboxKey(id));
            }
        });
        assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(waiter).isNotDone();
        holder.close();
        assertThat(waiter.get(20, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void concurrentClonesTakeDifferentCopiesAndWaitWhenAllAreBusy() {
        List<TemplateCopy> copies = List.of(new TemplateCopy("pve1", 90001), new TemplateCopy("pve2", 90002));
        try (LockSession a = locks.lockSandbox(SandboxIds.newId(), Duration.ofSeconds(5));
                LockSession b = locks.lockSandbox(SandboxIds.newId(), Duration.ofSeconds(5));
                LockSession c = locks.lockSandbox(SandboxIds.newId(), Duration.ofSeconds(5))) {
            TemplateCopy first = cloneLock.acquire(a, copies, Duration.ofSeconds(1));
            TemplateCopy second = cloneLock.acquire(b, copies, Duration.ofSeconds(1));
            assertThat(List.of(first, second)).containsExactlyInAnyOrderElementsOf(copies);
            assertThatThrownBy(() -> cloneLock.acquire(c, copies, Duration.ofMillis(200)))
                    .isInstanceOf(ProblemException.class).hasMessageContaining("busy cloning");
            cloneLock.release(a, first);
            assertThat(cloneLock.acquire(c, copies, Duration.ofSeconds(1))).isEqualTo(first);
        }
    }

    @Test
    void aClosedSessionLeavesNoLockOnItsPooledConnection() {
        List<TemplateCopy> copies = List.of(new TemplateCopy("pve1", 90011));
        LockSession s = locks.lockSandbox(SandboxIds.newId(), Duration.ofSeconds(5));
        cloneLock.acquire(s, copies, Duration.ofSeconds(1));
        s.close();
        try (LockSession other = locks.lockSandbox(SandboxIds.newId(), Duration.ofSeconds(5))) {
            assertThat(cloneLock.acquire(other, copies, Duration.ofSeconds(1))).isEqualTo(copies.getFirst());
        }
    }
}
