package io.sandplane.e2e.support;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Test fixtures: the body of {@code POST /api/sandboxes}; unset members are left to the API's defaults. */
public final class Starts {

    private final ObjectNode body = Json.object();

    private Starts() {
    }

    public static Starts body() {
        return new Starts();
    }

    public Starts ttlSeconds(int seconds) {
        body.put("ttlSeconds", seconds);
        return this;
    }

    /** {@code stop}, {@code pause} or {@code delete}. */
    public Starts ttlAction(String action) {
        body.put("ttlAction", action);
        return this;
    }

    public Starts wakeOnHttp(boolean wake) {
        body.put("wakeOnHttp", wake);
        return this;
    }

    /** false: answer 202 at once and follow the events. */
    public Starts waitForRunning(boolean wait) {
        body.put("wait", wait);
        return this;
    }

    public Starts metadata(String key, String value) {
        body.withObject("metadata").put(key, value);
        return this;
    }

    public ObjectNode json() {
        return body.deepCopy();
    }
}
