package io.sandplane.sandboxapi.rest.dto;

/** What the command did; output is capped and {@code truncated} says when something was dropped. */
public record ExecOutput(int exitCode, String stdout, String stderr, boolean truncated, boolean timedOut) {
}
