package io.sandplane.provisioner.client;

/** A PVE failure another try will not fix: 4xx, {@code already exists}, {@code does not exist}, {@code is locked}, a failed task. */
public final class PvePermanentException extends PveException {

    public PvePermanentException(int status, String pveMessage, Throwable cause) {
        super(status, pveMessage, cause);
    }
}
