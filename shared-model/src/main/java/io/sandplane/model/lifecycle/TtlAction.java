package io.sandplane.model.lifecycle;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sandplane.model.InvalidValueException;
import java.util.Locale;

/** What happens to a sandbox when its TTL runs out. */
public enum TtlAction {
    STOP,
    PAUSE,
    DELETE;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static TtlAction fromId(String id) {
        for (TtlAction a : values()) {
            if (a.id().equals(id)) {
                return a;
            }
        }
        throw new InvalidValueException("ttlAction",
                "unknown ttlAction " + InvalidValueException.quote(id) + "; expected stop, pause or delete");
    }
}
