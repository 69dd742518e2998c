package io.sandplane.reaper.client;

/** The provisioner could not be reached or answered that it cannot serve now: worth retrying later. */
public class ProvisionerUnavailableException extends RuntimeException {

    public ProvisionerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
