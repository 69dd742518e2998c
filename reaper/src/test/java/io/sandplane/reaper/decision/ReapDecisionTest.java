package io.sandplane.reaper.decision;

import static io.sandplane.reaper.decision.Scene.NOW;
import static io.sandplane.reaper.decision.Scene.POLICY;
import static io.sandplane.reaper.decision.Scene.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.lifecycle.TtlAction;
import io.sandplane.reaper.decision.ReapAction.Delete;
import io.sandplane.reaper.decision.ReapAction.DeleteGuest;
import io.sandplane.reaper.decision.ReapAction.MarkLost;
import io.sandplane.reaper.decision.ReapAction.Pause;
import io.sandplane.reaper.decision.ReapAction.Recover;
import io.sandplane.reaper.decision.ReapAction.ReleaseVmid;
import io.sandplane.reaper.decision.ReapAction.Stop;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ReapDecisionTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    @Nested
    class Ttl {

        @Test
        void stopsARunningSandboxPastItsExpiry() {
            var r = row().expiresAgo(MINUTE, TtlAction.STOP);
            ReapPlan plan = Scene.nodes("pve1").with(r).guestOf(r).decide();
            assertThat(plan.actions()).singleElement().isInstanceOfSatisfying(Stop.class, s -> {
                assertThat(s.id()).isEqualTo(r.id());
                assertThat(s.rule()).isEqualTo(Rule.TTL);
                assertThat(s.reason()).contains("expired at").contains("ttlAction stop");
                assertThat(s.dueSince()).isEqualTo(NOW.minus(MINUTE));
            });
        }

        @Test
        void stopsAPausedSandboxWhoseTtlActionIsStop() {
            var r = row().status(SandboxStatus.PAUSED).expiresAgo(MINUTE, TtlAction.STOP);
            assertThat(Scene.nodes("pve1").with(r).guestOf(r).decide().actions()).singleElement().isInstanceOf(Stop.class);
        }

        @Test
        void leavesAStoppedSandboxAloneWhenItsTtlActionIsStop() {
            var r = row().status(SandboxStatus.STOPPED).expiresAgo(MINUTE, TtlAction.STOP);
            assertThat(Scene.nodes("pve1").with(r).guestOf(r).decide().actions()).isEmpty();
        }

        @Test
        void pausesOnlyRunningSandboxes() {
            var running = row().expiresAgo(MINUTE, TtlAction.PAUSE);
            var paused = row().status(SandboxStatus.PAUSED).expiresAgo(MINUTE, TtlAction.PAUSE);
            var stopped = row().status(SandboxStatus.STOPPED).expiresAgo(MINUTE, TtlAction.PAUSE);
            ReapPlan plan = Scene.nodes("pve1").with(running, paused, stopped).guestOf(running).guestOf(paused).guestOf(stopped)
                    .decide();
            assertThat(plan.actions()).singleElement().isInstanceOfSatisfying(Pause.class,
                    p -> assertThat(p.id()).isEqualTo(running.id()));
        }

        @Test
        void deletesInAnySettledState() {
            var running = row().expiresAgo(MINUTE, TtlAction.DELETE);
            var paused = row().status(SandboxStatus.PAUSED).expiresAgo(MINUTE, TtlAction.DELETE);
            var stopped = row().status(SandboxStatus.STOPPED).expiresAgo(MINUTE, TtlAction.DELETE);
            ReapPlan plan = Scene.nodes("pve1").with(running, paused, stopped).guestOf(running).guestOf(paused).guestOf(stopped)
                    .decide();
            assertThat(plan.actions()).hasSize(3).allSatisfy(a -> {
                assertThat(a).isInstanceOf(Delete.class);
                assertThat(a.rule()).isEqualTo(Rule.TTL);
            });
        }

        @Test
        void doesNothingBeforeTheExpiryOrWithoutOne() {
            var later = row().expiresIn(MINUTE, TtlAction.DELETE);
            var never = row();
            assertThat(Scene.nodes("pve1").with(later, never).guestOf(later).guestOf(never).decide().actions()).isEmpty();
        }

        @Test
        void actsExactlyAtTheExpiry() {
            var r = row().expiresAgo(Duration.ZERO, TtlAction.STOP);
            assertThat(Scene.nodes("pve1").with(r).guestOf(r).decide().actions()).hasSize(1);
        }

        @Test
        void leavesProvisioningAndDeletingRowsToTheStuckRules() {
            var provisioning = row().status(SandboxStatus.PROVISIONING).updated(NOW).expiresAgo(MINUTE, TtlAction.DELETE);
            var deleting = row().status(SandboxStatus.DELETING).updated(NOW).expiresAgo(MINUTE, TtlAction.DELETE);
            assertThat(Scene.nodes("pve1").with(provisioning, deleting).guestOf(provisioning).guestOf(deleting).decide()
                    .actions()).isEmpty();
        }
    }

    @Nested
    class Idle {

        @Test
        void pausesARunningSandboxIdleForLongerThanItsTimeout() {
            var r = row().statusChanged(NOW.minus(Duration.ofHours(2)))
                    .idleTimeout(Duration.ofMinutes(30), NOW.minus(Duration.ofMinutes(31)));
            ReapPlan plan = Scene.nodes("pve1").with(r).guestOf(r).decide();
            assertThat(plan.actions()).singleElement().isInstanceOfSatisfying(Pause.class, p -> {
                assertThat(p.rule()).isEqualTo(Rule.IDLE);
                assertThat(p.reason()).contains("no activity since").contains("30m");
                assertThat(p.dueSince()).isEqualTo(NOW.minus(MINUTE));
            });
        }

        @Test
        void leavesARecentlyActiveSandboxRunning() {
            var r = row().statusChanged(NOW.minus(Duration.ofHours(2)))
                    .idleTimeout(Duration.ofMinutes(30), NOW.minus(Duration.ofMinutes(29)));
            assertThat(Scene.nodes("pve1").with(r).guestOf(r).decide().actions()).isEmpty();
        }

        @Test
        void countsFromTheLastStartWhenThereWasNoActivity() {
            var idle = row().statusChanged(NOW.minus(Duration.ofMinutes(31))).idleTimeout(Duration.ofMinutes(30), null);
            var fresh = row().statusChanged(NOW.minus(Duration.ofMinutes(5))).idleTimeout(Duration.ofMinutes(30), null);
            ReapPlan plan = Scene.nodes("pve1").with(idle, fresh).guestOf(idle).guestOf(fresh).decide();
            assertThat(plan.actions()).singleElement().satisfies(a -> assertThat(a.target()).endsWith(idle.id()));
        }

        @Test
        void activityBeforeTheLastResumeDoesNotCount() {
            var r = row().statusChanged(NOW.minus(Duration.ofMinutes(5)))
                    .idleTimeout(Duration.ofMinutes(30), NOW.minus(Duration.ofDays(2)));
            assertThat(Scene.nodes("pve1").with(r).guestOf(r).decide().actions()).isEmpty();
        }

        @Test
        void ignoresSandboxesWithoutAnIdleTimeoutOrNotRunning() {
            var noTimeout = row().statusChanged(NOW.minus(Duration.ofDays(2)));
            var paused = row().status(SandboxStatus.PAUSED).statusChanged(NOW.minus(Duration.ofHours(2)))
                    .idleTimeout(Duration.ofMinutes(1), null);
            assertThat(Scene.nodes("pve1").with(noTimeout, paused).guestOf(noTimeout).guestOf(paused).decide().actions())
                    .isEmpty();
        }
    }

    @Nested
    class Retention {

        @Test
        void deletesSandboxesPausedOrStoppedLongerThanTheRetention() {
            var paused = row().status(SandboxStatus.PAUSED).statusChanged(NOW.minus(Duration.ofDays(7).plusSeconds(1)));
            var stopped = row().status(SandboxStatus.STOPPED).statusChanged(NOW.minus(Duration.ofDays(8)));
            ReapPlan plan = Scene.nodes("pve1").with(paused, stopped).guestOf(paused).guestOf(stopped).decide();
            assertThat(plan.actions()).hasSize(2).allSatisfy(a -> {
                assertThat(a).isInstanceOf(Delete.class);
                assertThat(a.rule()).isEqualTo(Rule.RETENTION);
                assertThat(a.reason()).contains("longer than the retention of 7d");
            });
            assertThat(plan.actions().getFirst().target()).endsWith(stopped.id());
        }

        @Test
        void keepsYoungerOnesAndRunningOnes() {
            var paused = row().status(SandboxStatus.PAUSED).statusChanged(NOW.minus(Duration.ofDays(6)));
            var running = row().statusChanged(NOW.minus(Duration.ofDays(30)));
            assertThat(Scene.nodes("pve1").with(paused, running).guestOf(paused).guestOf(running).decide().actions())
                    .isEmpty();
        }

        @Test
        void theStrongestRuleWinsAndEachSandboxGetsOneAction() {
            var stoppedLong = row().status(SandboxStatus.PAUSED).statusChanged(NOW.minus(Duration.ofDays(9)))
                    .expiresAgo(Duration.ofDays(9), TtlAction.STOP);
            var ttlAndIdle = row().statusChanged(NOW.minus(Duration.ofHours(3))).expiresAgo(MINUTE, TtlAction.PAUSE)
                    .idleTimeout(Duration.ofMinutes(5), null);
            ReapPlan plan = Scene.nodes("pve1").with(stoppedLong, ttlAndIdle).guestOf(stoppedLong).guestOf(ttlAndIdle)
                    .decide();
            assertThat(plan.actions()).hasSize(2);
            assertThat(plan.actions()).filteredOn(a -> a.target().endsWith(stoppedLong.id())).singleElement()
                    .satisfies(a -> {
                        assertThat(a).isInstanceOf(Delete.class);
                        assertThat(a.rule()).isEqualTo(Rule.RETENTION);
                    });
            assertThat(plan.actions()).filteredOn(a -> a.target().endsWith(ttlAndIdle.id())).singleElement()
                    .satisfies(a -> {
                        assertThat(a).isInstanceOf(Pause.class);
                        assertThat(a.rule()).isEqualTo(Rule.TTL);
                    });
        }
    }

    @Nested
    class Orphans {

        private final String missing = SandboxIds.newId();

        @Test
        void aNewlySeenOrphanIsRecordedAndWaitsForTheGracePeriod() {
            ReapPlan plan = Scene.nodes("pve1").guest("pve1", 500, "sandplane;" + missing, null).decide();
            assertThat(plan.actions()).isEmpty();
            assertThat(plan.sightingsToSave()).containsExactly(new OrphanSighting("pve1", 500, missing, NOW));
            assertThat(plan.holds()).singleElement().satisfies(h -> {
                assertThat(h.rule()).isEqualTo(Rule.ORPHAN);
                assertThat(h.why()).contains("has no row").contains("within the grace period of 10m");
            });
        }

        @Test
        void anOrphanSeenForTheWholeGracePeriodIsDeleted() {
            ReapPlan plan = Scene.nodes("pve1").guest("pve1", 500, "sandplane;" + missing, null)
                    .sighting("pve1", 500, missing, NOW.minus(Duration.ofMinutes(10))).decide();
            assertThat(plan.actions()).singleElement().isInstanceOfSatisfying(DeleteGuest.class, g -> {
                assertThat(g.node()).isEqualTo("pve1");
                assertThat(g.vmid()).isEqualTo(500);
                assertThat(g.sandboxTag()).isEqualTo(missing);
                assertThat(g.sandboxId()).isEmpty();
                assertThat(g.reason()).contains("sandbox " + missing + " has no row");
            });
            assertThat(plan.sightingsToSave()).isEmpty();
        }

        @Test
        void oneSecondShortOfTheGracePeriodIsNotEnough() {
            ReapPlan plan = Scene.nodes("pve1").guest("pve1", 500, "sandplane;" + missing, null)
                    .sighting("pve1", 500, missing, NOW.minus(Duration.ofMinutes(10)).plusSeconds(1)).decide();
            assertThat(plan.actions()).isEmpty();
        }

        @Test
        void guestsOfDeletedFailedAndLostSandboxesAreOrphans() {
            var deleted = row().status(SandboxStatus.DELETED).on("pve1", 501);
            var failed = row().status(SandboxStatus.FAILED).on("pve1", 502);
            var lost = row().status(SandboxStatus.LOST).on("pve1", 503);
            Scene scene = Scene.nodes("pve1").later(deleted).later(failed).later(lost)
                    .guestOf(deleted).guestOf(failed).guestOf(lost);
            for (var r : List.of(deleted, failed, lost)) {
                scene.sighting("pve1", r.vmid(), r.id(), NOW.minus(Duration.ofHours(1)));
            }
            ReapPlan plan = scene.decide();
            assertThat(plan.actions()).hasSize(3).allSatisfy(a -> {
                DeleteGuest g = (DeleteGuest) a;
                assertThat(g.sandboxId()).contains(g.sandboxTag());
                assertThat(g.reason()).containsAnyOf("is DELETED", "is FAILED", "is LOST");
            });
        }

        @Test
        void untaggedGuestsAreNeverTouchedWhateverTheirNameOrVmid() {
            var r = row().status(SandboxStatus.DELETED).on("pve1", 600);
            ReapPlan plan = Scene.nodes("pve1").later(r)
                    .guest("pve1", 600, "", null)
                    .guest("pve1", 601, r.id(), null)
                    .guest("pve1", 602, "team-acme;web", null)
                    .sighting("pve1", 600, null, NOW.minus(Duration.ofDays(30)))
                    .decide();
            assertThat(plan.actions()).isEmpty();
            assertThat(plan.holds()).isEmpty();
            assertThat(plan.sightingsToSave()).isEmpty();
        }

        @Test
        void aGuestWithTheManagedTagButNoSandboxTagIsAnOrphan() {
            ReapPlan plan = Scene.nodes("pve1").guest("pve1", 700, "sandplane", null)
                    .sighting("pve1", 700, null, NOW.minus(Duration.ofHours(1))).decide();
            assertThat(plan.actions()).singleElement().isInstanceOfSatisfying(DeleteGuest.class,
                    g -> assertThat(g.reason()).contains("without a sandbox tag"));
        }

        @Test
        void aGuestThatALiveRowOwnsIsNotAnOrphanAndItsSightingIsForgotten() {
            var r = row();
            ReapPlan plan = Scene.nodes("pve1").with(r).guestOf(r)
                    .sighting("pve1", r.vmid(), r.id(), NOW.minus(Duration.ofHours(1))).decide();
            assertThat(plan.actions()).isEmpty();
            assertThat(plan.sightingsToForget()).singleElement().satisfies(s -> assertThat(s.vmid()).isEqualTo(r.vmid()));
        }

        @Test
        void aStartCreatedAfterTheRowsWereReadIsOwnedThroughTheLaterRead() {
            var r = row().status(SandboxStatus.PROVISIONING).on("pve1", null).updated(NOW);
            ReapPlan plan = Scene.nodes("pve1").later(r).guest("pve1", 800, "sandplane;" + r.id(), "create").decide();
            assertThat(plan.actions()).isEmpty();
            assertThat(plan.sightingsToSave()).isEmpty();
        }

        @Test
        void aLeftoverCloneOfALiveSandboxIsAnOrphan() {
            var r = row();
            ReapPlan plan = Scene.nodes("pve1").with(r).guestOf(r).guest("pve1", 801, "sandplane;" + r.id(), null)
                    .sighting("pve1", 801, r.id(), NOW.minus(Duration.ofHours(1))).decide();
            assertThat(plan.actions()).singleElement().isInstanceOfSatisfying(DeleteGuest.class, g -> {
                assertThat(g.vmid()).isEqualTo(801);
                assertThat(g.reason()).contains("leftover clone");
            });
        }

        @Test
        void aLockedGuestIsHeldNotDeleted() {
            ReapPlan plan = Scene.nodes("pve1").guest("pve1", 900, "sandplane;" + missing, "create")
                    .sighting("pve1", 900, missing, NOW.minus(Duration.ofHours(1))).decide();
            assertThat(plan.actions()).isEmpty();
            assertThat(plan.holds()).singleElement().satisfies(h -> assertThat(h.why()).contains("'create' lock"));
        }

        @Test
        void templatesAreNeverOrphans() {
            ReapPlan plan = Scene.nodes("pve1").template(9001).guest("pve1", 9001, "sandplane", null)
                    .sighting("pve1", 9001, null, NOW.minus(Duration.ofDays(1))).decide();
            assertThat(plan.actions()).isEmpty();
            assertThat(plan.sightingsToForget()).hasSize(1);
        }

        @Test
        void aDifferentGuestOnTheSameVmidStartsTheGracePeriodAgain() {
            String other = SandboxIds.newId();
            ReapPlan plan = Scene.nodes("pve1").guest("pve1", 500, "sandplane;" + missing, null)
                    .sighting("pve1", 500, other, NOW.minus(Duration.ofHours(1))).decide();
            assertThat(plan.actions()).isEmpty();
            assertThat(plan.sightingsToSave()).containsExactly(new OrphanSighting("pve1", 500, missing, NOW));
        }

        @Test
        void aGoneGuestsSightingIsForgotten() {
            ReapPlan plan = Scene.nodes("pve1").sighting("pve1", 500, missing, NOW.minus(Duration.ofHours(1))).decide();
            assertThat(plan.sightingsToForget()).hasSize(1);
        }
    }

    @Nested
    class Lost {

        @Test
        void aSettledSandboxWhoseGuestIsGoneBecomesLost() {
            var running = row();
            var paused = row().status(SandboxStatus.PAUSED);
            var stopped = row().status(SandboxStatus.STOPPED);
            ReapPlan plan = Scene.nodes("pve1").with(running, paused, stopped).decide();
            assertThat(plan.actions()).hasSize(3).allSatisfy(a -> {
                assertThat(a).isInstanceOf(MarkLost.class);
                assertThat(a.reason()).contains("is not on node pve1");
            });
        }

        @Test
        void lostWinsOverEveryOtherRuleForThatRow() {
            var r = row().expiresAgo(MINUTE, TtlAction.STOP);
            assertThat(Scene.nodes("pve1").with(r).decide().actions()).singleElement().isInstanceOf(MarkLost.class);
        }

        @Test
        void aGuestThatMovedToAnotherListedNodeIsNotLost() {
            var r = row().on("pve1", 1234);
            ReapPlan plan = Scene.nodes("pve1", "pve2").with(r).guest("pve2", 1234, "sandplane;" + r.id(), null).decide();
            assertThat(plan.actions()).isEmpty();
        }

        @Test
        void anotherSandboxsGuestOnTheVmidDoesNotCount() {
            var r = row().on("pve1", 1235);
            ReapPlan plan = Scene.nodes("pve1").with(r).guest("pve1", 1235, "sandplane;" + SandboxIds.newId(), null).decide();
            assertThat(plan.actions()).singleElement().isInstanceOf(MarkLost.class);
        }

        @Test
        void provisioningAndDeletingRowsAreNeverLost() {
            var provisioning = row().status(SandboxStatus.PROVISIONING).updated(NOW);
            var deleting = row().status(SandboxStatus.DELETING).updated(NOW);
            assertThat(Scene.nodes("pve1").with(provisioning, deleting).decide().actions()).isEmpty();
        }
    }

    @Nested
    class FailedList {

        @Test
        void nothingOnANodeWhoseListFailedIsDeletedOrMarkedLost() {
            String orphanTag = SandboxIds.newId();
            var gone = row().on("pve2", 2001);
            var ttlDelete = row().on("pve2", 2002).expiresAgo(MINUTE, TtlAction.DELETE);
            var retention = row().on("pve2", 2003).status(SandboxStatus.STOPPED).statusChanged(NOW.minus(Duration.ofDays(30)));
            var stuckDelete = row().on("pve2", 2004).status(SandboxStatus.DELETING).updated(NOW.minus(Duration.ofHours(2)));
            var stuckStart = row().on("pve2", 2005).status(SandboxStatus.PROVISIONING).updated(NOW.minus(Duration.ofHours(2)));
            ReapPlan plan = Scene.nodes("pve1", "pve2").unlisted("pve2")
                    .with(gone, ttlDelete, retention, stuckDelete, stuckStart)
                    .guest("pve2", 2999, "sandplane;" + orphanTag, null)
                    .sighting("pve2", 2999, orphanTag, NOW.minus(Duration.ofDays(1)))
                    .decide();
            assertThat(plan.actions()).isEmpty();
            assertThat(plan.sightingsToForget()).isEmpty();
            assertThat(plan.holds()).extracting(Hold::rule)
                    .contains(Rule.LOST, Rule.TTL, Rule.RETENTION, Rule.STUCK_DELETING, Rule.STUCK_PROVISIONING);
            assertThat(plan.holds()).allSatisfy(h -> assertThat(h.why()).contains("pve2"));
        }

        @Test
        void aNodeMissingFromTheInventoryIsNotReadEither() {
            var r = row().on("pve9", 2100);
            assertThat(Scene.nodes("pve1").with(r).decide().actions()).isEmpty();
        }

        @Test
        void stopAndPauseStillHappenOnAnUnlistedNode() {
            var stop = row().on("pve2", 2010).expiresAgo(MINUTE, TtlAction.STOP);
            var idle = row().on("pve2", 2011).statusChanged(NOW.minus(Duration.ofHours(1))).idleTimeout(MINUTE, null);
            ReapPlan plan = Scene.nodes("pve2").unlisted("pve2").with(stop, idle).decide();
            assertThat(plan.actions()).extracting(ReapAction::verb).containsExactlyInAnyOrder("stop", "pause");
        }

        @Test
        void aWeakerRuleStillActsWhenTheStrongerOneIsHeld() {
            var r = row().on("pve2", 2012).expiresAgo(MINUTE, TtlAction.DELETE).statusChanged(NOW.minus(Duration.ofHours(1)))
                    .idleTimeout(MINUTE, null);
            ReapPlan plan = Scene.nodes("pve2").unlisted("pve2").with(r).decide();
            assertThat(plan.actions()).singleElement().isInstanceOf(Pause.class);
            assertThat(plan.holds()).extracting(Hold::rule).contains(Rule.TTL);
        }

        @Test
        void otherNodesAreStillReconciled() {
            var gone = row().on("pve1", 2200);
            ReapPlan plan = Scene.nodes("pve1", "pve2").unlisted("pve2").with(gone).decide();
            assertThat(plan.actions()).singleElement().isInstanceOf(MarkLost.class);
        }
    }

    @Nested
    class Stuck {

        @Test
        void aStartWithoutProgressPastTheDeadlineIsRecovered() {
            var r = row().status(SandboxStatus.PROVISIONING).step(ProvisionStep.CLONED).updated(NOW.minus(Duration.ofMinutes(15)));
            ReapPlan plan = Scene.nodes("pve1").with(r).guestOf(r).decide();
            assertThat(plan.actions()).singleElement().isInstanceOfSatisfying(Recover.class,
                    a -> assertThat(a.reason()).contains("last step CLONED").contains("15m"));
        }

        @Test
        void aStartThatIsProgressingIsLeftAlone() {
            var r = row().status(SandboxStatus.PROVISIONING).updated(NOW.minus(Duration.ofMinutes(14)));
            assertThat(Scene.nodes("pve1").with(r).guestOf(r).decide().actions()).isEmpty();
        }

        @Test
        void aStartBeforePlacementIsRecoveredWhateverTheNodes() {
            var r = row().status(SandboxStatus.PROVISIONING).step(null).on(null, null).updated(NOW.minus(Duration.ofHours(1)));
            ReapPlan plan = Scene.nodes("pve1").unlisted("pve1").with(r).decide();
            assertThat(plan.actions()).singleElement().isInstanceOfSatisfying(Recover.class,
                    a -> assertThat(a.reason()).contains("last step none"));
        }

        @Test
        void aDeleteThatTakesTooLongIsRetried() {
            var r = row().status(SandboxStatus.DELETING).updated(NOW.minus(Duration.ofMinutes(11)));
            ReapPlan plan = Scene.nodes("pve1").with(r).guestOf(r).decide();
            assertThat(plan.actions()).singleElement().isInstanceOfSatisfying(Delete.class,
                    d -> assertThat(d.rule()).isEqualTo(Rule.STUCK_DELETING));
        }
    }

    @Nested
    class Vmids {

        private final Duration old = Duration.ofHours(1);

        @Test
        void aVmidHeldForADeletedOrMissingSandboxIsReleased() {
            ReapPlan plan = Scene.nodes("pve1")
                    .holding(1, 3001, "sbx_gone", NOW.minus(old), SandboxStatus.DELETED, 3001)
                    .holding(2, 3002, "sbx_missing", NOW.minus(old), null, null)
                    .holding(3, 3003, null, NOW.minus(old), null, null)
                    .holding(4, 3004, "sbx_moved", NOW.minus(old), SandboxStatus.RUNNING, 3999)
                    .decide();
            assertThat(plan.actions()).hasSize(4).allSatisfy(a -> assertThat(a).isInstanceOf(ReleaseVmid.class));
            assertThat(plan.actions()).extracting(ReapAction::reason).containsExactlyInAnyOrder(
                    "sandbox sbx_gone is DELETED", "sandbox sbx_missing has no row", "held for no sandbox",
                    "sandbox sbx_moved has VMID 3999 now");
            assertThat(plan.actions()).allSatisfy(a -> assertThat(a.destructive()).isFalse());
        }

        @Test
        void aVmidItsSandboxStillNeedsIsKept() {
            ReapPlan plan = Scene.nodes("pve1")
                    .holding(1, 3010, "sbx_a", NOW.minus(old), SandboxStatus.RUNNING, 3010)
                    .holding(2, 3011, "sbx_b", NOW.minus(old), SandboxStatus.PROVISIONING, 3999)
                    .holding(3, 3012, "sbx_c", NOW.minus(old), SandboxStatus.DELETING, null)
                    .decide();
            assertThat(plan.actions()).isEmpty();
        }

        @Test
        void aYoungAllocationIsKept() {
            ReapPlan plan = Scene.nodes("pve1").holding(1, 3020, "sbx_gone", NOW.minus(Duration.ofMinutes(9)),
                    SandboxStatus.DELETED, 3020).decide();
            assertThat(plan.actions()).isEmpty();
        }

        @Test
        void heldWhileAGuestOrALiveRowStillHasTheVmidOrANodeWasNotListed() {
            var user = row().on("pve1", 3031);
            ReapPlan withGuest = Scene.nodes("pve1").guest("pve1", 3030, "sandplane", null)
                    .holding(1, 3030, "sbx_gone", NOW.minus(old), SandboxStatus.DELETED, 3030).decide();
            ReapPlan withRow = Scene.nodes("pve1").with(user).guestOf(user)
                    .holding(2, 3031, "sbx_gone", NOW.minus(old), SandboxStatus.DELETED, 3031).decide();
            ReapPlan incomplete = Scene.nodes("pve1", "pve2").unlisted("pve2")
                    .holding(3, 3032, "sbx_gone", NOW.minus(old), SandboxStatus.DELETED, 3032).decide();
            assertThat(withGuest.actions()).noneMatch(a -> a instanceof ReleaseVmid);
            assertThat(withRow.actions()).isEmpty();
            assertThat(incomplete.actions()).isEmpty();
            assertThat(List.of(withGuest, withRow, incomplete))
                    .allSatisfy(p -> assertThat(p.holds()).anyMatch(h -> h.rule() == Rule.VMID_LEAK));
        }
    }

    @Nested
    class Cap {

        @Test
        void actsOnTheMostOverdueUpToTheCapAndDefersTheRest() {
            Scene scene = Scene.nodes("pve1");
            for (int i = 1; i <= 5; i++) {
                var r = row().expiresAgo(Duration.ofMinutes(i), TtlAction.DELETE);
                scene.with(r).guestOf(r);
            }
            var stop = row().expiresAgo(Duration.ofSeconds(1), TtlAction.STOP);
            scene.with(stop).guestOf(stop);
            ReapPlan plan = scene.decide(POLICY.withMaxDestructiveActions(3));
            assertThat(plan.capReached()).isTrue();
            assertThat(plan.destructiveWanted()).isEqualTo(5);
            assertThat(plan.actions()).filteredOn(ReapAction::destructive).extracting(ReapAction::dueSince)
                    .containsExactly(NOW.minus(Duration.ofMinutes(5)), NOW.minus(Duration.ofMinutes(4)),
                            NOW.minus(Duration.ofMinutes(3)));
            assertThat(plan.deferred()).extracting(ReapAction::dueSince)
                    .containsExactly(NOW.minus(Duration.ofMinutes(2)), NOW.minus(Duration.ofMinutes(1)));
            assertThat(plan.actions()).filteredOn(a -> !a.destructive()).singleElement().isInstanceOf(Stop.class);
        }

        @Test
        void anEmptyGuestListCannotWipeTheCluster() {
            Scene scene = Scene.nodes("pve1");
            for (int i = 0; i < 200; i++) {
                scene.with(row().statusChanged(NOW.minus(Duration.ofMinutes(i))));
            }
            ReapPlan plan = scene.decide();
            assertThat(plan.actions()).hasSize(50).allSatisfy(a -> assertThat(a).isInstanceOf(MarkLost.class));
            assertThat(plan.deferred()).hasSize(150);
            assertThat(plan.capReached()).isTrue();
        }

        @Test
        void underTheCapNothingIsDeferred() {
            var r = row().expiresAgo(MINUTE, TtlAction.DELETE);
            ReapPlan plan = Scene.nodes("pve1").with(r).guestOf(r).decide(POLICY.withMaxDestructiveActions(1));
            assertThat(plan.capReached()).isFalse();
            assertThat(plan.actions()).hasSize(1);
        }

        @Test
        void aCapOfZeroTakesNoDestructiveAction() {
            var r = row().expiresAgo(MINUTE, TtlAction.DELETE);
            ReapPlan plan = Scene.nodes("pve1").with(r).guestOf(r).decide(POLICY.withMaxDestructiveActions(0));
            assertThat(plan.actions()).isEmpty();
            assertThat(plan.deferred()).hasSize(1);
        }
    }

    @Nested
    class Backoff {

        @Test
        void aTargetBackingOffIsHeldAndLeavesRoomUnderTheCap() {
            var failing = row().expiresAgo(Duration.ofHours(1), TtlAction.DELETE);
            var next = row().expiresAgo(MINUTE, TtlAction.DELETE);
            ReapPlan plan = Scene.nodes("pve1").with(failing, next).guestOf(failing).guestOf(next)
                    .backingOff("sandbox:" + failing.id())
                    .decide(POLICY.withMaxDestructiveActions(1));
            assertThat(plan.actions()).singleElement().satisfies(a -> assertThat(a.target()).endsWith(next.id()));
            assertThat(plan.deferred()).isEmpty();
            assertThat(plan.holds()).anySatisfy(h -> assertThat(h.why()).contains("backing off"));
        }
    }

    @Test
    void actionsComeMostOverdueFirst() {
        var a = row().expiresAgo(Duration.ofMinutes(1), TtlAction.STOP);
        var b = row().expiresAgo(Duration.ofMinutes(30), TtlAction.PAUSE);
        var c = row().expiresAgo(Duration.ofMinutes(5), TtlAction.DELETE);
        ReapPlan plan = Scene.nodes("pve1").with(a, b, c).guestOf(a).guestOf(b).guestOf(c).decide();
        assertThat(plan.actions()).extracting(ReapAction::verb).containsExactly("pause", "delete", "stop");
    }

    @Test
    void describesEachActionWithItsRuleAndReason() {
        var r = row().expiresAgo(MINUTE, TtlAction.STOP);
        ReapAction action = Scene.nodes("pve1").with(r).guestOf(r).decide().actions().getFirst();
        assertThat(action.describe()).startsWith("ttl → stop sandbox:" + r.id() + ": expired at ");
    }

    @Test
    void durationsReadLikeConfiguration() {
        assertThat(ReapDecision.human(Duration.ofDays(7))).isEqualTo("7d");
        assertThat(ReapDecision.human(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(ReapDecision.human(Duration.ofMillis(1500))).isEqualTo("1.500s");
        assertThat(ReapDecision.human(Duration.ZERO)).isEqualTo("0s");
    }
}
