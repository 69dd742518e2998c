package io.sandplane.simulator.guest;

/** What a guest's firewall does with a new inbound connection. */
public enum Verdict {
    /** Let it in. */
    ACCEPT,
    /** Drop it silently: the client gets no answer at all. */
    DROP,
    /** Refuse it: PVE answers TCP with a reset. */
    REJECT
}
