package io.sandplane.model.lifecycle;

/**
 * The steps of a start, in order. The last completed one is stored on the row so that a crash
 * between two steps can be finished or rolled back.
 */
public enum ProvisionStep {
    VMID_ALLOCATED,
    CLONED,
    CONFIGURED,
    /** The guest's firewall is written (options, rules, security groups) before it first runs. */
    FIREWALLED,
    STARTED,
    NETWORK_UP,
    EXECD_HEALTHY;

    public boolean isAfter(ProvisionStep other) {
        return ordinal() > other.ordinal();
    }
}
