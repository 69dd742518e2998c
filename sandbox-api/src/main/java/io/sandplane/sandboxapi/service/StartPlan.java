package io.sandplane.sandboxapi.service;

import io.sandplane.model.lifecycle.TtlAction;
import java.util.Map;

/**
 * A validated start with every default applied; {@code requestHash} identifies it for idempotency (null when
 * the start has no Idempotency-Key: there is nothing to compare it with).
 */
public record StartPlan(ResolvedTemplate template, int ttlSeconds, TtlAction ttlAction, Integer idleTimeoutSeconds,
        boolean wakeOnHttp, Map<String, String> metadata, boolean waitForRunning, String requestHash) {
}
