package io.sandplane.simulator.service;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Map;

/** One API call as the simulator saw and answered it. */
@RegisterForReflection
public record RecordedCall(long seq, Instant time, String method, String path, Map<String, String> params, int status,
                           String message, double durationMs) {
}
