package io.sandplane.provisioner.client;

import java.util.Locale;

/**
 * A PVE call that failed, with PVE's own message (from the JSON body, or for PVE older than 8.4
 * from the HTTP reason phrase). Transient failures are retried with backoff; permanent ones are not.
 * Messages never contain the API token: PVE does not echo it and the client never adds it.
 */
public abstract sealed class PveException extends RuntimeException permits PveTransientException, PvePermanentException {

    private final int status;
    private final String pveMessage;

    protected PveException(int status, String pveMessage, Throwable cause) {
        super(status > 0 ? "PVE " + status + ": " + pveMessage : pveMessage, cause);
        this.status = status;
        this.pveMessage = pveMessage;
    }

    /** The HTTP status, or 0 when the failure has none (PVE unreachable, a task that ended in error). */
    public int status() {
        return status;
    }

    /** PVE's message without the status, e.g. {@code CT is locked (disk)}. */
    public String pveMessage() {
        return pveMessage;
    }

    public boolean isTransient() {
        return this instanceof PveTransientException;
    }

    /** The guest (or its config file) is not there: {@code Configuration file '…' does not exist}. */
    public boolean doesNotExist() {
        return contains("does not exist") || contains("no such vm") || contains("no such ct");
    }

    /** An IP set that is not there: {@code no such IPSet 'x'}. */
    public boolean noSuchIpSet() {
        return contains("no such ipset");
    }

    /** A create or clone target VMID is taken: {@code CT 200 already exists on node 'pve'}. */
    public boolean alreadyExists() {
        return contains("already exists");
    }

    /** The config carries a lock: {@code CT is locked (disk)}. */
    public boolean isLocked() {
        return contains("is locked");
    }

    public boolean alreadyRunning() {
        return contains("already running");
    }

    public boolean notRunning() {
        return contains("not running");
    }

    /**
     * A change carried the digest of an earlier read and the object changed since: {@code detected modified
     * configuration - file changed by other user? Try again.} Read again, then decide again.
     */
    public boolean changedSinceRead() {
        return contains("detected modified configuration");
    }

    private boolean contains(String text) {
        return pveMessage != null && pveMessage.toLowerCase(Locale.ROOT).contains(text);
    }

    /**
     * Classifies a failed call: 5xx (including PVE's proxy pseudo-statuses 595–599), {@code got timeout}
     * and lock-file timeouts are transient; 4xx, {@code already exists}, {@code does not exist},
     * {@code is locked}, a digest mismatch (the same call would fail again) and the firewall's missing objects
     * are permanent, whatever the status.
     */
    public static PveException of(int status, String message) {
        String text = message == null || message.isBlank() ? "HTTP " + status : message.strip();
        String lower = text.toLowerCase(Locale.ROOT);
        boolean transientText = lower.contains("got timeout") || lower.contains("got lock request timeout")
                || lower.contains("got no worker upid");
        boolean permanentText = lower.contains("already exists") || lower.contains("does not exist")
                || lower.contains("is locked") || lower.contains("detected modified configuration")
                // PVE's firewall dies (500) on objects that are not there: no retry will bring them
                || lower.contains("no such ipset") || lower.contains("no such security group")
                || lower.contains("no rule at position");
        if (transientText) {
            return new PveTransientException(status, text, null);
        }
        if (permanentText || status == 501) {
            return new PvePermanentException(status, text, null);
        }
        if (status >= 500) {
            return new PveTransientException(status, text, null);
        }
        return new PvePermanentException(status, text, null);
    }

    /** PVE did not answer (connection refused, reset, timed out): worth another try. */
    public static PveException unreachable(String what, Throwable cause) {
        return new PveTransientException(0, "cannot reach PVE: " + what, cause);
    }
}
