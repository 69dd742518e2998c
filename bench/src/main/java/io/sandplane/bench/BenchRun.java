package io.sandplane.bench;

/**
 * What every scenario gets from the harness: its arguments and how the wait for a quiet machine
 * went (each report records it, since other work on the cores skews every figure).
 */
record BenchRun(BenchArgs args, QuietMachine.Wait quiet) {
}
