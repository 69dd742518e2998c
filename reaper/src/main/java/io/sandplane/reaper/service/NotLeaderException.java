package io.sandplane.reaper.service;

import io.sandplane.model.problem.ProblemException;
import java.util.Map;

/** Only the leader runs passes. */
public class NotLeaderException extends ProblemException {

    public NotLeaderException(String instance, String leader) {
        super(409, "not-leader", "Not the leader", "reaper " + instance + " is a standby; "
                + (leader == null ? "no replica leads right now" : "the leader is " + leader),
                leader == null ? Map.of() : Map.of("leader", leader));
    }
}
