package io.sandplane.model.service;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sandplane.model.InvalidValueException;
import java.util.Locale;

/** Who may reach an exposed service through the proxy. */
public enum AuthMode {
    /** Anyone who knows the URL. */
    PUBLIC,
    /** Only requests carrying the sandbox's access token (header, or a cookie set from a one-time query parameter). */
    TOKEN;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static AuthMode fromId(String id) {
        for (AuthMode m : values()) {
            if (m.id().equals(id)) {
                return m;
            }
        }
        throw new InvalidValueException("authMode",
                "unknown authMode " + InvalidValueException.quote(id) + "; expected public or token");
    }
}
