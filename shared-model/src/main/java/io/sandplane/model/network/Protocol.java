package io.sandplane.model.network;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sandplane.model.InvalidValueException;
import java.util.Locale;

/** The transport an allow-list entry opens. */
public enum Protocol {
    TCP,
    UDP,
    /** Every IP protocol (ICMP included); such an entry names no ports, which only TCP and UDP have. */
    ANY;

    /** The spelling in JSON, e.g. {@code tcp}; also what PVE's firewall takes as {@code proto} for TCP and UDP. */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether entries of this protocol may name ports. */
    public boolean hasPorts() {
        return this != ANY;
    }

    @JsonCreator
    public static Protocol fromId(String id) {
        return fromId("protocol", id);
    }

    public static Protocol fromId(String field, String id) {
        for (Protocol p : values()) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        throw new InvalidValueException(field,
                "unknown protocol " + InvalidValueException.quote(id) + "; expected tcp, udp or any");
    }
}
