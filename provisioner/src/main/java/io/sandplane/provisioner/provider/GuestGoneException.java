package io.sandplane.provisioner.provider;

/** The guest a sandbox row points at is not on the hypervisor any more. */
public class GuestGoneException extends RuntimeException {

    public GuestGoneException(GuestRef guest) {
        super("guest " + guest + " no longer exists on the hypervisor");
    }
}
