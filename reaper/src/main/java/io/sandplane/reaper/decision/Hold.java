package io.sandplane.reaper.decision;

/**
 * Something a rule would do but must not do now, and why: a node whose guest list could not be
 * read, a guest still within its grace period or locked, a target backing off after a failure.
 * Reported, never acted on.
 */
public record Hold(Rule rule, String target, String why) {
}
