package io.sandplane.reaper.client;

/** The provisioner answered with an error about this request: retrying the same call will not help. */
public class ProvisionerRefusedException extends RuntimeException {

    private final int status;

    public ProvisionerRefusedException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The target changed under the reaper (409) or is gone (404): nothing to do, not a failure. */
    public boolean targetChanged() {
        return status == 404 || status == 409;
    }
}
