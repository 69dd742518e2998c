package io.sandplane.provisioner.provider;

import io.sandplane.model.lifecycle.ProvisionStep;

/**
 * How a provider reports a start as it goes; each call is persisted (row + event) before it returns,
 * so a crash right after it can be finished or rolled back from what was recorded.
 */
public interface StartProgress {

    /** A step completed; {@code guest} is everything known about the guest so far. */
    void completed(ProvisionStep step, GuestRef guest, String detail);

    /** The guest's place is chosen (recorded before anything is created there). */
    void placed(GuestRef guest, StartSpec.TemplateCopy template);
}
