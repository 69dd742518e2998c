package io.sandplane.model.network;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sandplane.model.InvalidValueException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Where a sandbox may open connections to. Inbound traffic is not governed here: a sandbox is reachable only
 * through the url-router on the ports it exposed, and never from another sandbox, whatever its egress says.
 */
public enum EgressMode {
    /** Anywhere, private, link-local and cloud-metadata addresses included: a permission the operator grants per team. */
    OPEN("open"),
    /** The internet, but none of {@link PrivateRanges}. The default. */
    DENY_PRIVATE("deny-private"),
    /** Only the destinations of the policy's allow list; an empty list allows nothing at all. */
    ALLOW_LIST("allow-list");

    private final String id;

    EgressMode(String id) {
        this.id = id;
    }

    /** The spelling in JSON and in the database, e.g. {@code deny-private}. */
    @JsonValue
    public String id() {
        return id;
    }

    @JsonCreator
    public static EgressMode fromId(String id) {
        return fromId("egress", id);
    }

    /** @param field where the value came from, for the error (e.g. {@code network.egress}) */
    public static EgressMode fromId(String field, String id) {
        for (EgressMode m : values()) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        throw new InvalidValueException(field, "unknown egress mode " + InvalidValueException.quote(id) + "; expected "
                + Arrays.stream(values()).map(EgressMode::id).collect(Collectors.joining(", ")));
    }
}
