package io.sandplane.provisioner.provider;

/**
 * A start that did not reach ready. {@code cleanedUp} says whether everything it created is gone
 * (guest destroyed, VMID released); if not, the row keeps the error and a later recover finishes the
 * clean-up.
 */
public class StartFailedException extends RuntimeException {

    private final boolean cleanedUp;

    public StartFailedException(String message, boolean cleanedUp, Throwable cause) {
        super(message, cause);
        this.cleanedUp = cleanedUp;
    }

    public boolean cleanedUp() {
        return cleanedUp;
    }
}
