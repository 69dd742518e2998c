package io.sandplane.model.network;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sandplane.model.InvalidValueException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The destination ports of an allow-list entry: {@code 443}, {@code 8000-9000}, or a list of both
 * ({@code 80,443,8000-9000}), in the order given.
 *
 * <p>At most {@link #MAX_NUMBERS} numbers, a range counting two: the most PVE's firewall takes in one rule's
 * {@code dport} ({@code pve-fw-dport-spec}; iptables' multiport match has 15 slots), so that each entry of a
 * policy becomes one PVE rule.
 */
public final class Ports {

    /** A single port is a range whose {@code first} and {@code last} are equal. */
    public record Range(int first, int last) {

        public boolean contains(int port) {
            return port >= first && port <= last;
        }

        boolean overlaps(Range other) {
            return first <= other.last && other.first <= last;
        }

        @Override
        public String toString() {
            return first == last ? Integer.toString(first) : first + "-" + last;
        }
    }

    public static final int MAX_NUMBERS = 15;
    private static final int MAX_LENGTH = 200;

    private final List<Range> ranges;

    private Ports(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /** Trusted values (stored policies); user input goes through {@link #parse(String, String)} for its field name. */
    @JsonCreator
    public static Ports of(String text) {
        return parse("ports", text);
    }

    /**
     * @param field where the text came from, named in the error
     * @throws InvalidValueException unless the text is ports 1-65535 and ascending ranges, comma-separated without
     *                               spaces, none listed twice, at most {@link #MAX_NUMBERS} numbers
     */
    public static Ports parse(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidValueException(field, "ports is empty; leave it out to allow every port");
        }
        if (text.length() > MAX_LENGTH) {
            throw new InvalidValueException(field, InvalidValueException.quote(text) + " is too long for a port list");
        }
        List<Range> ranges = new ArrayList<>();
        int numbers = 0;
        for (String item : text.split(",", -1)) {
            Range range = range(field, text, item);
            for (Range earlier : ranges) {
                if (earlier.overlaps(range)) {
                    throw invalid(field, text, "lists " + (earlier.equals(range) ? range + " twice" : earlier + " and " + range
                            + ", which overlap"));
                }
            }
            ranges.add(range);
            numbers += range.first == range.last ? 1 : 2;
        }
        if (numbers > MAX_NUMBERS) {
            throw invalid(field, text, "has " + numbers + " numbers (a range counts two); PVE's firewall takes at most "
                    + MAX_NUMBERS + " in one rule, so split it over several entries");
        }
        return new Ports(ranges);
    }

    public List<Range> ranges() {
        return ranges;
    }

    public boolean contains(int port) {
        return ranges.stream().anyMatch(r -> r.contains(port));
    }

    /** The same ports as PVE's firewall writes them ({@code dport}): ranges with a colon, {@code 80,8000:9000}. */
    public String pveSpelling() {
        return ranges.stream().map(r -> r.first == r.last ? Integer.toString(r.first) : r.first + ":" + r.last)
                .collect(Collectors.joining(","));
    }

    @JsonValue
    @Override
    public String toString() {
        return ranges.stream().map(Range::toString).collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ports p && p.ranges.equals(ranges);
    }

    @Override
    public int hashCode() {
        return ranges.hashCode();
    }

    private static Range range(String field, String text, String item) {
        int dash = item.indexOf('-');
        if (item.isEmpty()) {
            throw invalid(field, text, "has an empty entry; separate ports with single commas, no spaces");
        }
        if (dash < 0) {
            int port = port(field, text, item);
            return new Range(port, port);
        }
        int first = port(field, text, item.substring(0, dash));
        int last = port(field, text, item.substring(dash + 1));
        if (first >= last) {
            throw invalid(field, text, first == last ? "has the range " + item + " of one port; write it as " + first
                    : "has the range " + item + ", which goes down; write " + last + "-" + first);
        }
        return new Range(first, last);
    }

    private static int port(String field, String text, String digits) {
        if (!Cidr.isDecimal(digits, 5) || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > 65535) {
            throw invalid(field, text, "is not a list of ports 1-65535 and ranges such as 8000-9000, comma-separated"
                    + " without spaces or leading zeros");
        }
        return Integer.parseInt(digits);
    }

    private static InvalidValueException invalid(String field, String text, String why) {
        return new InvalidValueException(field, InvalidValueException.quote(text) + " " + why);
    }
}
