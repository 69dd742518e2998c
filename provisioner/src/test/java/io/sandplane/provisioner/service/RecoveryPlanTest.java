package io.sandplane.provisioner.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.provisioner.provider.GuestObservation;
import io.sandplane.provisioner.service.RecoveryPlan.Action;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecoveryPlanTest {

    private static final GuestObservation OURS = new GuestObservation(true, true, false, false, null);
    private static final GuestObservation OURS_TAGGED_RUNNING = new GuestObservation(true, true, true, true, null);
    private static final GuestObservation CLONING = new GuestObservation(true, true, false, false, "create");
    private static final GuestObservation FOREIGN = new GuestObservation(true, false, false, true, null);

    @Test
    void aStartInterruptedBeforeTheCloneIsRolledBack() {
        assertThat(plan(null, false, GuestObservation.ABSENT)).isEqualTo(Action.ROLL_BACK);
        assertThat(plan(ProvisionStep.VMID_ALLOCATED, false, GuestObservation.ABSENT)).isEqualTo(Action.ROLL_BACK);
        // Even if a clone went out and its guest is there: the row never recorded it as done.
        assertThat(plan(ProvisionStep.VMID_ALLOCATED, false, OURS)).isEqualTo(Action.ROLL_BACK);
    }

    @ParameterizedTest
    @EnumSource(value = ProvisionStep.class, names = { "CLONED", "CONFIGURED", "FIREWALLED", "STARTED", "NETWORK_UP",
            "EXECD_HEALTHY" })
    void aStartPastTheCloneWithItsGuestIsFinished(ProvisionStep step) {
        assertThat(plan(step, false, OURS)).isEqualTo(Action.FINISH_START);
        assertThat(plan(step, false, OURS_TAGGED_RUNNING)).isEqualTo(Action.FINISH_START);
    }

    @Test
    void aStartWhoseGuestIsGoneOrNotOursIsRolledBack() {
        assertThat(plan(ProvisionStep.CONFIGURED, false, GuestObservation.ABSENT)).isEqualTo(Action.ROLL_BACK);
        assertThat(plan(ProvisionStep.CONFIGURED, false, FOREIGN)).isEqualTo(Action.ROLL_BACK);
    }

    @Test
    void aStartCutOffAroundItsFirewallIsFinishedWithTheFirewallWrittenAgainFirst() {
        // Created but not yet firewalled, or firewalled (perhaps half-way) but not started: the guest never ran
        // unfiltered, and finishing writes its whole firewall again before it starts.
        RecoveryPlan configured = RecoveryPlan.decide(SandboxStatus.PROVISIONING, ProvisionStep.CONFIGURED, false, OURS);
        RecoveryPlan firewalled = RecoveryPlan.decide(SandboxStatus.PROVISIONING, ProvisionStep.FIREWALLED, false, OURS);
        assertThat(configured.action()).isEqualTo(Action.FINISH_START);
        assertThat(firewalled.action()).isEqualTo(Action.FINISH_START);
        assertThat(firewalled.reason()).contains("firewall is written again before it runs");
        // A firewall write that failed and whose clean-up is pending is rolled back, never finished.
        assertThat(plan(ProvisionStep.CONFIGURED, true, OURS)).isEqualTo(Action.ROLL_BACK);
    }

    @Test
    void aStartWithAPendingCleanUpIsRolledBackNeverFinished() {
        assertThat(plan(ProvisionStep.NETWORK_UP, true, OURS_TAGGED_RUNNING)).isEqualTo(Action.ROLL_BACK);
    }

    @Test
    void aGuestStillLockedByATaskIsLeftForLater() {
        assertThat(plan(ProvisionStep.VMID_ALLOCATED, false, CLONING)).isEqualTo(Action.WAIT);
        assertThat(RecoveryPlan.decide(SandboxStatus.DELETING, ProvisionStep.EXECD_HEALTHY, false, CLONING).action())
                .isEqualTo(Action.WAIT);
    }

    @Test
    void anInterruptedDeleteIsFinished() {
        assertThat(RecoveryPlan.decide(SandboxStatus.DELETING, ProvisionStep.EXECD_HEALTHY, true, OURS_TAGGED_RUNNING).action())
                .isEqualTo(Action.FINISH_DELETE);
        assertThat(RecoveryPlan.decide(SandboxStatus.DELETING, null, false, GuestObservation.ABSENT).action())
                .isEqualTo(Action.FINISH_DELETE);
    }

    @ParameterizedTest
    @EnumSource(value = SandboxStatus.class, names = { "RUNNING", "PAUSED", "STOPPED", "DELETED", "FAILED", "LOST" })
    void settledSandboxesNeedNothing(SandboxStatus status) {
        assertThat(RecoveryPlan.decide(status, ProvisionStep.EXECD_HEALTHY, false, OURS).action()).isEqualTo(Action.NONE);
    }

    private static Action plan(ProvisionStep step, boolean error, GuestObservation guest) {
        RecoveryPlan plan = RecoveryPlan.decide(SandboxStatus.PROVISIONING, step, error, guest);
        assertThat(plan.reason()).isNotBlank();
        return plan.action();
    }
}
