package io.sandplane.provisioner.service;

import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.provisioner.provider.GuestObservation;

/**
 * What to do with a sandbox whose operation stopped half-way (its provisioner crashed): a pure
 * decision from the row's status, recorded step and error and the guest as the hypervisor shows it.
 * A start is finished only when its guest exists, is this sandbox's and got past the clone;
 * anything less is rolled back. Finishing never skips the guest's firewall.
 */
public record RecoveryPlan(Action action, String reason) {

    public enum Action {
        /** Nothing is half-done. */
        NONE,
        /** A task still runs on the guest (lock held): look again later. */
        WAIT,
        /** Continue the start from the recorded step. */
        FINISH_START,
        /** Destroy whatever the start created, release the VMID, mark the row FAILED. */
        ROLL_BACK,
        /** Finish an interrupted delete. */
        FINISH_DELETE
    }

    public static RecoveryPlan decide(SandboxStatus status, ProvisionStep step, boolean hasError, GuestObservation guest) {
        return switch (status) {
            case DELETING -> guest.locked()
                    ? new RecoveryPlan(Action.WAIT, "a task still holds lock '" + guest.lock() + "' on the guest")
                    : new RecoveryPlan(Action.FINISH_DELETE, "delete was interrupted");
            case PROVISIONING -> decideStart(step, hasError, guest);
            case RUNNING, PAUSED, STOPPED, DELETED, FAILED, LOST -> new RecoveryPlan(Action.NONE, "nothing to recover");
        };
    }

    private static RecoveryPlan decideStart(ProvisionStep step, boolean hasError, GuestObservation guest) {
        if (guest.locked()) {
            return new RecoveryPlan(Action.WAIT, "a task still holds lock '" + guest.lock() + "' on the guest");
        }
        if (hasError) {
            return new RecoveryPlan(Action.ROLL_BACK, "the start failed and its clean-up was pending");
        }
        if (step == null || !step.isAfter(ProvisionStep.VMID_ALLOCATED)) {
            return new RecoveryPlan(Action.ROLL_BACK, "provisioning was interrupted before the guest was cloned");
        }
        if (!guest.exists()) {
            return new RecoveryPlan(Action.ROLL_BACK, "provisioning was interrupted and the guest is gone");
        }
        if (!guest.owned()) {
            return new RecoveryPlan(Action.ROLL_BACK,
                    "provisioning was interrupted and the guest at the recorded VMID is not this sandbox's");
        }
        // The provider writes the guest's whole firewall again before the guest runs (again): a crash in the middle
        // of that write, or before it, never leaves a guest running unfiltered.
        return new RecoveryPlan(Action.FINISH_START, "provisioning was interrupted after " + step
                + "; finishing it (the guest's firewall is written again before it runs)");
    }
}
