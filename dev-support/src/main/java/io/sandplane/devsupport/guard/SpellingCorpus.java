package io.sandplane.devsupport.guard;

import io.sandplane.devsupport.guard.PathSpellings.Spelling;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Sends every {@link PathSpellings spelling} of every probe, once per credential that must not be
 * enough (none, a wrong one), to one service, and checks that each was refused: a 401, or a request
 * that reached no endpoint (404, 405, or a request line the server would not parse). GET probes are
 * sent as HEAD too, with the first credential. The path as written must be answered 401, or the probe does not point at a guarded
 * endpoint and proves nothing.
 *
 * <pre>
 * SpellingCorpus.against("provisioner", baseUri)
 *         .credential("no token", Map.of())
 *         .credential("wrong token", Map.of("X-Sandplane-Internal-Token", "wrong"))
 *         .probe(endpoint, Map.of("id", sandboxId), null)
 *         .run()
 *         .assertRefused();
 * </pre>
 *
 * Whether a refused request still had an effect (a command run, a guest deleted) is for the caller
 * to check afterwards, with the right credential.
 */
public final class SpellingCorpus {

    /**
     * A request the corpus spells: method, path (parameters filled in), JSON body or null.
     *
     * @param parameterSegments the indexes of the path's segments that hold parameter values: a
     *                          value spelt otherwise is another value, not another spelling
     */
    public record Probe(String method, String path, Set<Integer> parameterSegments, String jsonBody, String endpoint) {
    }

    /** Headers sent with every spelling, named for the report ("no token", "a team key"). */
    public record Credential(String label, Map<String, String> headers) {
    }

    public record Attempt(Probe probe, String method, Spelling spelling, Credential credential, RawHttp.Answer answer) {

        @Override
        public String toString() {
            return method + " " + spelling.target() + " [" + spelling.label() + "; " + credential.label() + "; "
                    + probe.endpoint() + "] -> " + answer.status() + " " + abbreviate(answer.body());
        }
    }

    private static final int CONCURRENCY = 4;

    private final String service;
    private final String host;
    private final int port;
    private final List<Probe> probes = new ArrayList<>();
    private final List<Credential> credentials = new ArrayList<>();

    private SpellingCorpus(String service, String host, int port) {
        this.service = service;
        this.host = host;
        this.port = port;
    }

    /** @param base e.g. {@code http://127.0.0.1:41234} (path ignored) */
    public static SpellingCorpus against(String service, URI base) {
        return new SpellingCorpus(service, base.getHost(), base.getPort());
    }

    public SpellingCorpus credential(String label, Map<String, String> headers) {
        credentials.add(new Credential(label, Map.copyOf(headers)));
        return this;
    }

    /** The endpoint with its parameters filled in from {@code parameters}, with a JSON body or none. */
    public SpellingCorpus probe(Endpoint endpoint, Map<String, String> parameters, String jsonBody) {
        probes.add(new Probe(endpoint.method(), endpoint.path(parameters), endpoint.parameterSegments(), jsonBody,
                endpoint.name()));
        return this;
    }

    public Outcome run() {
        if (probes.isEmpty() || credentials.isEmpty()) {
            throw new IllegalStateException("a corpus needs probes and credentials");
        }
        long began = System.nanoTime();
        List<Callable<Attempt>> sends = new ArrayList<>();
        for (Probe probe : probes) {
            for (Spelling spelling : PathSpellings.of(probe.path(), probe.parameterSegments())) {
                for (Credential credential : credentials) {
                    sends.add(send(probe, probe.method(), spelling, credential, probe.jsonBody()));
                }
                if (probe.method().equals("GET")) {
                    sends.add(send(probe, "HEAD", spelling, credentials.getFirst(), null));
                }
            }
        }
        List<Attempt> attempts = new ArrayList<>();
        // A few at a time: the answers come sooner, and the service sees concurrent callers as it would.
        ExecutorService senders = Executors.newFixedThreadPool(CONCURRENCY);
        try {
            for (Future<Attempt> sent : senders.invokeAll(sends)) {
                attempts.add(sent.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            senders.shutdownNow();
        }
        return new Outcome(service, attempts, Duration.ofNanos(System.nanoTime() - began));
    }

    private Callable<Attempt> send(Probe probe, String method, Spelling spelling, Credential credential, String body) {
        return () -> new Attempt(probe, method, spelling, credential,
                RawHttp.send(host, port, method, spelling.target(), credential.headers(), body));
    }

    /** What the corpus got back. */
    public record Outcome(String service, List<Attempt> attempts, Duration took) {

        /**
         * Fails, listing them, unless every attempt was refused and the path as written got 401.
         * Returns this, for {@link #summary()}.
         */
        public Outcome assertRefused() {
            String failures = failures();
            if (!failures.isEmpty()) {
                throw new AssertionError(failures);
            }
            return this;
        }

        /** {@link #assertRefused()} of several outcomes, failing with the failures of all of them. */
        public static String assertRefused(Outcome... outcomes) {
            String failures = Stream.of(outcomes).map(Outcome::failures).filter(f -> !f.isEmpty())
                    .collect(Collectors.joining("\n"));
            if (!failures.isEmpty()) {
                throw new AssertionError(failures);
            }
            return Stream.of(outcomes).map(Outcome::summary).collect(Collectors.joining("; "));
        }

        /** The attempts that were not refused, described, or "" when there are none. */
        private String failures() {
            List<Attempt> wrong = attempts.stream()
                    .filter(a -> a.spelling().asWritten() ? a.answer().status() != 401 : !refused(a.answer()))
                    .toList();
            Path log = writeLog();
            if (wrong.isEmpty()) {
                return "";
            }
            return service + ": " + wrong.size() + " of " + attempts.size()
                    + " requests were not refused (401 for the path as written; 401, 404, 405 or an unparsed request "
                    + "for the other spellings; every answer is in " + log + "):\n  "
                    + wrong.stream().limit(60).map(Attempt::toString).collect(Collectors.joining("\n  "))
                    + (wrong.size() > 60 ? "\n  …" : "");
        }

        /** Every attempt and its answer, one a line, in {@code target/spelling-corpus/<service>.txt}. */
        private Path writeLog() {
            Path log = Path.of("target", "spelling-corpus", service.replaceAll("[^A-Za-z0-9-]+", "-").replaceAll("-$", "") + ".txt")
                    .toAbsolutePath();
            try {
                Files.createDirectories(log.getParent());
                Files.write(log, attempts.stream().map(Attempt::toString).toList(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return log;
        }

        /** e.g. {@code provisioner: 1412 requests, 401 × 903, 404 × 481, 400 × 28}. */
        public String summary() {
            Map<Integer, Long> byStatus = attempts.stream()
                    .collect(Collectors.groupingBy(a -> a.answer().status(), TreeMap::new, Collectors.counting()));
            return service + ": " + attempts.size() + " requests in " + took.toMillis() + " ms, " + byStatus.entrySet().stream()
                    .map(e -> (e.getKey() == 0 ? "closed unanswered" : e.getKey()) + " × " + e.getValue())
                    .collect(Collectors.joining(", "));
        }

        /**
         * A refusal: the guard's 401; a 404 or 405 (the spelling reached no endpoint, or a path whose
         * endpoints take other methods); a request the server would not parse (400, or the connection
         * closed) — but not a 400 about the body, which only an endpoint that accepted the request gives.
         */
        static boolean refused(RawHttp.Answer answer) {
            return switch (answer.status()) {
                case 401, 404, 405, 0 -> true;
                case 400 -> !answer.body().contains("invalid-request");
                default -> false;
            };
        }
    }

    private static String abbreviate(String body) {
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
    }
}
