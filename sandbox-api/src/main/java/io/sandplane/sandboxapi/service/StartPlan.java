package io.sandplane.sandboxapi.service;

import io.sandplane.model.lifecycle.TtlAction;
import io.sandplane.model.network.NetworkPolicy;
import java.util.Map;

/**
 * A validated start with every default applied; {@code requestHash} identifies it for idempotency (null when
 * the start has no Idempotency-Key: there is nothing to compare it with). {@code network} is null when the start
 * named none: admission gives it the team's default, read under the same lock as the team's other limits.
 */
public record StartPlan(ResolvedTemplate template, int ttlSeconds, TtlAction ttlAction, Integer idleTimeoutSeconds,
        boolean wakeOnHttp, Map<String, String> metadata, NetworkPolicy network, boolean waitForRunning,
        String requestHash) {
}
