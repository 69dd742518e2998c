package io.sandplane.provisioner.client;

/** A PVE failure worth retrying: 5xx, 595–599, {@code got timeout}, PVE unreachable. */
public final class PveTransientException extends PveException {

    public PveTransientException(int status, String pveMessage, Throwable cause) {
        super(status, pveMessage, cause);
    }
}
