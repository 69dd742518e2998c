package io.sandplane.devsupport.simulator;

import java.time.Instant;
import java.util.Map;

/** One API call the simulator answered: what was asked, with which parameters, and the answer's status. */
public record RecordedCall(long seq, Instant time, String method, String path, Map<String, String> params, int status,
                           String message, double durationMs) {
}
