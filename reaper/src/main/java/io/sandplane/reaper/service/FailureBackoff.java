package io.sandplane.reaper.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Targets whose last attempt failed wait before the next one: after n failures in a row, the next
 * 2^(n-1) - 1 passes leave them alone (at most 31, about a quarter of an hour at 30 s). Kept in
 * memory on purpose: losing it (a restart, a new leader) only means trying again sooner.
 */
@ApplicationScoped
public class FailureBackoff {

    private static final int MAX_SKIPPED_PASSES = 31;

    private record Attempt(int failures, long retryAtPass) {
    }

    private final Map<String, Attempt> attempts = new ConcurrentHashMap<>();

    /** Targets that sit out pass number {@code pass}. */
    public Set<String> waiting(long pass) {
        return attempts.entrySet().stream().filter(e -> e.getValue().retryAtPass() > pass).map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
    }

    public void failed(String target, long pass) {
        attempts.compute(target, (t, previous) -> {
            int failures = previous == null ? 1 : previous.failures() + 1;
            long skipped = Math.min(MAX_SKIPPED_PASSES, (1L << Math.min(failures - 1, 5)) - 1);
            return new Attempt(failures, pass + 1 + skipped);
        });
    }

    public void succeeded(String target) {
        attempts.remove(target);
    }

    /** Forgets targets that no pass has asked about for a long time. */
    public void forgetOlderThan(long pass) {
        attempts.values().removeIf(a -> a.retryAtPass() < pass - 1000);
    }
}
