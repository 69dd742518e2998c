package io.sandplane.sandboxapi.service;

import io.sandplane.model.problem.Problem;
import io.sandplane.model.problem.ProblemException;
import java.util.Map;

/** 429: a quota or the start rate is exhausted; carries what the rate-limit headers say. */
public class RateLimited extends ProblemException {

    private final RateWindow window;

    public RateLimited(String type, String title, String detail, RateWindow window, long retryAfterSeconds,
            Map<String, Object> extensions) {
        super(429, type, title, detail, merge(extensions, retryAfterSeconds));
        this.window = window;
    }

    public RateWindow window() {
        return window;
    }

    private static Map<String, Object> merge(Map<String, Object> extensions, long retryAfterSeconds) {
        var all = new java.util.HashMap<>(extensions);
        all.put(Problem.RETRY_AFTER, Math.max(1, retryAfterSeconds));
        return all;
    }
}
