package io.sandplane.devsupport.test;

import io.sandplane.devsupport.guard.PathSpellings;
import io.sandplane.devsupport.guard.RawHttp;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Health and metrics are served on a service's management port and nowhere else: its API port
 * answers 404 to every spelling of their paths.
 */
public final class ManagementInterface {

    /** What the management interface serves, each answered 200 by a ready service. */
    public static final List<String> PATHS = List.of("/q/health", "/q/health/live", "/q/health/ready",
            "/q/health/started", "/q/metrics");
    /** Answers that mean the service port served nothing (the request line may not even have been parsed). */
    private static final Set<Integer> NOTHING_SERVED = Set.of(404, 405, 400, 0);

    private ManagementInterface() {
    }

    /**
     * Fails unless every path of {@link #PATHS} answers 200 on {@code management} and every spelling
     * of it answers 404 (or an unparsed request) on {@code service}. Returns a summary.
     */
    public static String assertServedOnlyThere(URI service, URI management) {
        List<String> wrong = new ArrayList<>();
        int sent = 0;
        for (String path : PATHS) {
            RawHttp.Answer there = RawHttp.send(management.getHost(), management.getPort(), "GET", path, Map.of(), null);
            if (there.status() != 200) {
                wrong.add("GET " + path + " on the management port " + management.getPort() + " -> " + there.status());
            }
            for (PathSpellings.Spelling spelling : PathSpellings.of(path)) {
                RawHttp.Answer answer = RawHttp.send(service.getHost(), service.getPort(), "GET", spelling.target(), Map.of(),
                        null);
                sent++;
                boolean served = spelling.asWritten() ? answer.status() != 404 : !NOTHING_SERVED.contains(answer.status());
                if (served) {
                    wrong.add("GET " + spelling.target() + " [" + spelling.label() + "] on the service port " + service.getPort()
                            + " -> " + answer.status());
                }
            }
        }
        if (!wrong.isEmpty()) {
            throw new AssertionError("health and metrics must be served on the management port only:\n  "
                    + String.join("\n  ", wrong));
        }
        return PATHS.size() + " paths served on port " + management.getPort() + ", " + sent + " spellings of them refused on port "
                + service.getPort();
    }
}
