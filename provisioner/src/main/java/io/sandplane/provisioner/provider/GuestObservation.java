package io.sandplane.provisioner.provider;

/**
 * A sandbox's guest as the hypervisor shows it.
 *
 * @param owned  the guest is marked as this sandbox's (tags, or the description written at clone time)
 * @param tagged the guest carries the sandbox's tags (its configuration step completed)
 * @param lock   the hypervisor's config lock, if any (a clone or delete still running)
 */
public record GuestObservation(boolean exists, boolean owned, boolean tagged, boolean running, String lock) {

    public static final GuestObservation ABSENT = new GuestObservation(false, false, false, false, null);

    public boolean locked() {
        return lock != null && !lock.isEmpty();
    }
}
