package io.sandplane.model.network;

/**
 * An allow-list entry as a client sends it: {@code cidr} (required), {@code protocol} ({@code tcp} when absent,
 * {@code udp}, {@code any}), {@code ports} (every port when absent). Checked by {@link NetworkPolicyRequest}.
 */
public record EgressRuleRequest(String cidr, String protocol, String ports) {

    /** The entry, or null with every problem reported under {@code field} (e.g. {@code network.allow[3]}). */
    EgressRule check(String field, FieldErrors sink) {
        FieldErrors errors = new FieldErrors(sink::add);
        Cidr destination = null;
        if (cidr == null) {
            errors.add(field + ".cidr", "a CIDR such as 203.0.113.0/24 or 2001:db8::/32 is required");
        } else {
            destination = errors.parse(() -> Cidr.parse(field + ".cidr", cidr));
        }
        Protocol proto = protocol == null ? Protocol.TCP : errors.parse(() -> Protocol.fromId(field + ".protocol", protocol));
        Ports portList = ports == null ? null : errors.parse(() -> Ports.parse(field + ".ports", ports));
        if (ports != null && proto == Protocol.ANY) {
            errors.add(field + ".ports", "only tcp and udp have ports; protocol any opens every port of every protocol");
        }
        return errors.any() ? null : new EgressRule(destination, proto, portList);
    }
}
