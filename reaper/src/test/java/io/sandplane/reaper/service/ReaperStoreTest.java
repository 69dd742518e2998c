package io.sandplane.reaper.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.entity.VmidAllocation;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.reaper.decision.OrphanSighting;
import io.sandplane.reaper.decision.ReapAction;
import io.sandplane.reaper.decision.SandboxRow;
import io.sandplane.reaper.decision.VmidHolding;
import io.sandplane.reaper.testing.Fixtures;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reaper's reads and bookkeeping writes against the real schema. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class ReaperStoreTest {

    @Inject
    ReaperStore store;

    @Inject
    Fixtures fixtures;

    @Test
    void readsLiveRowsWithTheColumnsTheRulesNeed() {
        Sandbox running = fixtures.sandbox().expiredAgo(Duration.ofMinutes(1), io.sandplane.model.lifecycle.TtlAction.PAUSE)
                .idle(Duration.ofMinutes(5), Duration.ofMinutes(2)).insert();
        Sandbox deleted = fixtures.sandbox().status(SandboxStatus.DELETED).insert();
        List<SandboxRow> live = store.liveRows();
        assertThat(live).extracting(SandboxRow::id).contains(running.id).doesNotContain(deleted.id);
        SandboxRow row = live.stream().filter(r -> r.id().equals(running.id)).findFirst().orElseThrow();
        assertThat(row.vmid()).isEqualTo(running.vmid);
        assertThat(row.node()).isEqualTo("pve1");
        assertThat(row.expiresAt()).isEqualTo(running.expiresAt);
        assertThat(row.idleTimeoutSeconds()).isEqualTo(300);
        assertThat(row.lastActivityAt()).isEqualTo(running.lastActivityAt);
        assertThat(store.afterGuests(List.of(deleted.id), List.of(running.vmid)).rowsNamedByGuests())
                .extracting(SandboxRow::id).containsExactlyInAnyOrder(deleted.id, running.id);
        assertThat(store.row(deleted.id)).map(SandboxRow::status).contains(SandboxStatus.DELETED);
    }

    @Test
    void markingLostTransitionsRecordsAndReleasesInOneGo() {
        Sandbox s = fixtures.sandbox().status(SandboxStatus.PAUSED).insert();
        Instant now = Fixtures.now();
        boolean marked = store.markLost(new ReapAction.MarkLost(s.id, s.vmid, "pve1", "PAUSED but guest gone", now), now);

        assertThat(marked).isTrue();
        Sandbox after = fixtures.reload(s.id);
        assertThat(after.status).isEqualTo(SandboxStatus.LOST);
        assertThat(after.error).contains("VMID " + s.vmid);
        assertThat(after.version).isGreaterThan(s.version);
        List<SandboxEvent> events = fixtures.events(s.id);
        assertThat(events).anySatisfy(e -> {
            assertThat(e.type).isEqualTo(SandboxEvent.Type.ACTION);
            assertThat(e.actor).isEqualTo("reaper");
            assertThat(e.detail).isEqualTo("reaper lost: mark-lost — PAUSED but guest gone");
        });
        assertThat(events).anySatisfy(e -> {
            assertThat(e.type).isEqualTo(SandboxEvent.Type.STATUS);
            assertThat(e.fromStatus).isEqualTo(SandboxStatus.PAUSED);
            assertThat(e.toStatus).isEqualTo(SandboxStatus.LOST);
        });
        assertThat(fixtures.allocations(s.id)).singleElement().satisfies(a -> {
            assertThat(a.state).isEqualTo(VmidAllocation.State.RELEASED);
            assertThat(a.releasedAt).isEqualTo(now);
        });
    }

    @Test
    void aRowThatMovedOnIsNotMarkedLost() {
        Sandbox deleting = fixtures.sandbox().status(SandboxStatus.DELETING).insert();
        Sandbox otherVmid = fixtures.sandbox().insert();
        Instant now = Fixtures.now();
        assertThat(store.markLost(new ReapAction.MarkLost(deleting.id, deleting.vmid, "pve1", "gone", now), now)).isFalse();
        assertThat(store.markLost(new ReapAction.MarkLost(otherVmid.id, otherVmid.vmid + 1, "pve1", "gone", now), now))
                .isFalse();
        assertThat(fixtures.reload(deleting.id).status).isEqualTo(SandboxStatus.DELETING);
        assertThat(fixtures.reload(otherVmid.id).status).isEqualTo(SandboxStatus.RUNNING);
        assertThat(fixtures.events(deleting.id)).isEmpty();
    }

    @Test
    void findsVmidsThatNoLiveRowNeeds() {
        Sandbox deleted = fixtures.sandbox().status(SandboxStatus.DELETED).insert();
        Sandbox running = fixtures.sandbox().insert();
        Sandbox moved = fixtures.sandbox().insert();
        VmidAllocation stale = fixtures.allocate(moved.id, Fixtures.freshVmid(), Fixtures.now());
        Sandbox provisioning = fixtures.sandbox().status(SandboxStatus.PROVISIONING).insert();
        VmidAllocation retried = fixtures.allocate(provisioning.id, Fixtures.freshVmid(), Fixtures.now());
        VmidAllocation rowless = fixtures.allocate("sbx_aaaaaaaaaaaaaaaaaaaa", Fixtures.freshVmid(), Fixtures.now());

        List<VmidHolding> holdings = store.afterGuests(List.of(), List.of()).vmidHoldings();
        assertThat(holdings).extracting(VmidHolding::vmid)
                .contains(deleted.vmid, stale.vmid, rowless.vmid)
                .doesNotContain(running.vmid, moved.vmid, provisioning.vmid, retried.vmid);
        assertThat(holdings).filteredOn(h -> h.vmid() == deleted.vmid).singleElement()
                .satisfies(h -> assertThat(h.ownerStatus()).isEqualTo(SandboxStatus.DELETED));
        assertThat(holdings).filteredOn(h -> h.vmid() == rowless.vmid).singleElement()
                .satisfies(h -> assertThat(h.ownerStatus()).isNull());
    }

    @Test
    void releasesAVmidOnlyWhileItsSandboxStillDoesNotNeedIt() {
        Sandbox deleted = fixtures.sandbox().status(SandboxStatus.DELETED).insert();
        VmidAllocation gone = fixtures.allocations(deleted.id).getFirst();
        Sandbox running = fixtures.sandbox().insert();
        VmidAllocation used = fixtures.allocations(running.id).getFirst();
        Instant now = Fixtures.now();

        assertThat(store.releaseVmid(release(gone, true), now)).isTrue();
        assertThat(store.releaseVmid(release(gone, true), now)).as("released once").isFalse();
        assertThat(store.releaseVmid(release(used, true), now)).as("its row uses it").isFalse();

        assertThat(fixtures.allocation(gone.id).state).isEqualTo(VmidAllocation.State.RELEASED);
        assertThat(fixtures.allocation(used.id).state).isEqualTo(VmidAllocation.State.ALLOCATED);
        assertThat(fixtures.events(deleted.id)).singleElement()
                .satisfies(e -> assertThat(e.detail).startsWith("reaper vmid-leak: release VMID " + gone.vmid));
    }

    @Test
    void keepsSightingsAcrossReads() {
        int vmid = Fixtures.freshVmid();
        Instant first = Fixtures.now().minus(Duration.ofMinutes(3));
        store.updateSightings(List.of(new OrphanSighting("pve2", vmid, "sbx_bbbbbbbbbbbbbbbbbbbb", first)), List.of());
        assertThat(store.afterGuests(List.of(), List.of()).sightings()).contains(new OrphanSighting("pve2", vmid, "sbx_bbbbbbbbbbbbbbbbbbbb", first));

        Instant again = Fixtures.now();
        store.updateSightings(List.of(new OrphanSighting("pve2", vmid, null, again)), List.of());
        assertThat(store.afterGuests(List.of(), List.of()).sightings()).contains(new OrphanSighting("pve2", vmid, null, again));

        store.updateSightings(List.of(), List.of(new OrphanSighting("pve2", vmid, null, again)));
        assertThat(store.afterGuests(List.of(), List.of()).sightings()).noneMatch(s -> s.vmid() == vmid);
    }

    @Test
    void readsTheCatalogsTemplateVmids() {
        assertThat(store.afterGuests(List.of(), List.of()).templateVmids()).contains(9001, 9002, 9003, 9004, 9011, 9012);
    }

    @Test
    void aFailureThatRepeatsIsRecordedOnce() {
        Sandbox s = fixtures.sandbox().insert();
        store.recordFailure(s.id, "reaper ttl: stop — failed: 500", Fixtures.now());
        store.recordFailure(s.id, "reaper ttl: stop — failed: 500", Fixtures.now());
        store.recordFailure(s.id, "reaper ttl: stop — failed: 502", Fixtures.now());
        assertThat(fixtures.events(s.id)).extracting(e -> e.detail)
                .containsExactly("reaper ttl: stop — failed: 500", "reaper ttl: stop — failed: 502");
    }

    @Test
    void theIsolationAuditTakesTheNeverCheckedAndTheChangedFirstThenTheLongestAgo() {
        fixtures.clear();
        Instant now = Fixtures.now();
        Sandbox checkedLongAgo = fixtures.sandbox().statusChangedAgo(Duration.ofHours(3)).insert();
        fixtures.set(checkedLongAgo.id, "isolation_checked_at", java.sql.Timestamp.from(now.minus(Duration.ofHours(2))));
        Sandbox checkedRecently = fixtures.sandbox().statusChangedAgo(Duration.ofHours(3)).insert();
        fixtures.set(checkedRecently.id, "isolation_checked_at", java.sql.Timestamp.from(now.minus(Duration.ofMinutes(1))));
        Sandbox resumedSinceItsCheck = fixtures.sandbox().statusChangedAgo(Duration.ofSeconds(5)).insert();
        fixtures.set(resumedSinceItsCheck.id, "isolation_checked_at", java.sql.Timestamp.from(now.minus(Duration.ofMinutes(1))));
        Sandbox neverChecked = fixtures.sandbox().statusChangedAgo(Duration.ofHours(3)).insert();
        fixtures.sandbox().status(SandboxStatus.PAUSED).insert();
        fixtures.sandbox().status(SandboxStatus.PROVISIONING).insert();

        List<String> batch = store.isolationAuditBatch(10);
        assertThat(batch).as("only running sandboxes").hasSize(4);
        assertThat(batch.subList(0, 2)).containsExactlyInAnyOrder(neverChecked.id, resumedSinceItsCheck.id);
        assertThat(batch.subList(2, 4)).containsExactly(checkedLongAgo.id, checkedRecently.id);
        assertThat(store.isolationAuditBatch(3)).hasSize(3).doesNotContain(checkedRecently.id);
    }

    @Test
    void anIsolationProblemIsRecordedWithOneEventPerChangeAndNeverOverAStatusChange() {
        Sandbox s = fixtures.sandbox().statusChangedAgo(Duration.ofMinutes(5)).insert();
        Instant asked = Fixtures.now();

        assertThat(store.recordIsolation(s.id, null, asked, asked)).isEqualTo(ReaperStore.IsolationChange.UNCHANGED);
        assertThat(fixtures.reload(s.id).isolationCheckedAt).isEqualTo(asked);
        assertThat(fixtures.events(s.id)).isEmpty();

        String off = "the guest's firewall option enable is 0, not 1";
        assertThat(store.recordIsolation(s.id, off, asked, asked)).isEqualTo(ReaperStore.IsolationChange.REPORTED);
        assertThat(store.recordIsolation(s.id, off, asked, asked)).isEqualTo(ReaperStore.IsolationChange.UNCHANGED);
        assertThat(fixtures.reload(s.id).isolationProblem).isEqualTo(off);
        assertThat(fixtures.events(s.id)).singleElement().satisfies(e -> {
            assertThat(e.type).isEqualTo(SandboxEvent.Type.ERROR);
            assertThat(e.actor).isEqualTo("reaper");
            assertThat(e.detail).contains(off).contains("no longer routes");
        });

        assertThat(store.recordIsolation(s.id, null, asked, asked)).isEqualTo(ReaperStore.IsolationChange.CLEARED);
        assertThat(fixtures.reload(s.id).isolationProblem).isNull();
        assertThat(fixtures.events(s.id)).hasSize(2).last().satisfies(e -> {
            assertThat(e.type).isEqualTo(SandboxEvent.Type.ACTION);
            assertThat(e.detail).contains("isolated again");
        });

        // Paused (or paused and resumed) while it was being checked: what was read says nothing about it now.
        Instant before = asked.minus(Duration.ofMinutes(10));
        assertThat(store.recordIsolation(s.id, off, before, asked)).isEqualTo(ReaperStore.IsolationChange.STALE);
        Sandbox paused = fixtures.sandbox().status(SandboxStatus.PAUSED).statusChangedAgo(Duration.ofMinutes(5)).insert();
        assertThat(store.recordIsolation(paused.id, off, asked, asked)).isEqualTo(ReaperStore.IsolationChange.STALE);
        assertThat(fixtures.reload(s.id).isolationProblem).isNull();
        assertThat(fixtures.reload(paused.id).isolationProblem).isNull();
        assertThat(fixtures.events(s.id)).hasSize(2);
    }

    private static ReapAction.ReleaseVmid release(VmidAllocation a, boolean rowExists) {
        return new ReapAction.ReleaseVmid(a.id, a.cluster, a.vmid, a.sandboxId, rowExists, "test", a.allocatedAt);
    }
}
