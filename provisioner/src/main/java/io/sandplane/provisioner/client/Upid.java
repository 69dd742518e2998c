package io.sandplane.provisioner.client;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PVE task id, {@code UPID:node:pid:pstart:starttime:type:id:user:}. The task's status lives on
 * the node named in it, which is where it is polled.
 */
public record Upid(String value, String node, String type, String id) {

    private static final Pattern FORMAT = Pattern.compile(
            "UPID:([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):"
                    + "([^:\\s/]+):([^:\\s/]*):([^:\\s/]+):");

    public static Upid parse(String value) {
        Matcher m = value == null ? null : FORMAT.matcher(value.strip());
        if (m == null || !m.matches()) {
            throw new PvePermanentException(0, "PVE answered something that is not a task id: "
                    + io.sandplane.model.InvalidValueException.quote(value), null);
        }
        return new Upid(value.strip(), m.group(1), m.group(6), m.group(7));
    }

    @Override
    public String toString() {
        return value;
    }
}
