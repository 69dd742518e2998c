package io.sandplane.model.api;

/**
 * What a command did. Output is capped; {@code truncated} says when something was dropped.
 *
 * @param timedOut the command was killed at its timeout (exit code 124, as execd reports it)
 */
public record ExecResult(int exitCode, String stdout, String stderr, boolean truncated, boolean timedOut) {
}
