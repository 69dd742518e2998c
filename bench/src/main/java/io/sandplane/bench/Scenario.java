package io.sandplane.bench;

/**
 * One benchmark: starts what it measures, measures it, and writes its report to
 * {@code bench/results/<name>.md} through {@link MarkdownReport}. {@link Bench} picks it by name.
 */
interface Scenario {

    /** The name on the command line ({@code bench/run <name>}) and of the report file. */
    String name();

    /**
     * How long to wait for a quiet machine when the command line does not say
     * ({@code --quiet-wait-minutes}); most scenarios measure at once.
     */
    default int defaultQuietWaitMinutes() {
        return 0;
    }

    void run(BenchRun run) throws Exception;
}
