package io.sandplane.model.network;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sandplane.model.InvalidValueException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An IP network, IPv4 or IPv6: an address and a prefix length, in its one canonical spelling
 * ({@code 10.0.0.0/8}, {@code 2001:db8::/32}; a single host is {@code /32} or {@code /128}).
 *
 * <p>Parsed by what the text means, never by a pattern that looks about right, and strictly, because a
 * firewall rule built from a misread value allows what nobody asked for:
 * <ul>
 * <li>no DNS names and no lookups (unlike {@link InetAddress#getByName}), no zone ids, no spaces;</li>
 * <li>IPv4 is four decimal parts without leading zeros: {@code 010.0.0.1} is octal 8.0.0.1 to some parsers
 *     and decimal 10.0.0.1 to others;</li>
 * <li>a prefix with host bits set ({@code 10.0.0.1/8}) is refused, not rounded down: it may mean the network
 *     or the host, and guessing the network would open 16 million addresses for one;</li>
 * <li>IPv4-mapped IPv6 ({@code ::ffff:10.0.0.1}) is refused: firewalls match IPv4 traffic with IPv4 rules only,
 *     so such a rule would never match (and Java's own parser silently turns it into IPv4).</li>
 * </ul>
 *
 * <p>An address that is already an {@link InetAddress} (from a socket or a resolver) is judged by its bytes
 * ({@link #host(InetAddress)}, {@link #contains(InetAddress)}), and there an IPv4-mapped address is the IPv4
 * address it carries: a dual-stack socket connecting to {@code ::ffff:10.0.0.5} reaches 10.0.0.5.
 */
public final class Cidr {

    public enum Family {
        IPV4(32),
        IPV6(128);

        private final int bits;

        Family(int bits) {
            this.bits = bits;
        }

        public int bits() {
            return bits;
        }
    }

    /** Longer than any spelling of an IPv6 network (45 characters plus {@code /128}): refused before parsing. */
    private static final int MAX_LENGTH = 64;

    private final Family family;
    /** IPv6: the first 64 bits. IPv4: 0. */
    private final long high;
    /** IPv6: the last 64 bits. IPv4: the address in the low 32 bits. */
    private final long low;
    private final int prefix;

    private Cidr(Family family, long high, long low, int prefix) {
        this.family = family;
        this.high = high;
        this.low = low;
        this.prefix = prefix;
    }

    /** Trusted values (stored policies); user input goes through {@link #parse(String, String)} for its field name. */
    @JsonCreator
    public static Cidr of(String text) {
        return parse("cidr", text);
    }

    /**
     * @param field where the text came from, named in the error (e.g. {@code network.allow[2].cidr})
     * @throws InvalidValueException when the text is not one IPv4 or IPv6 network in the rules above
     */
    public static Cidr parse(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidValueException(field, "a CIDR such as 203.0.113.0/24 or 2001:db8::/32 is required");
        }
        if (text.length() > MAX_LENGTH) {
            throw new InvalidValueException(field, InvalidValueException.quote(text) + " is too long for a CIDR");
        }
        if (text.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw invalid(field, text, "may contain only the digits, letters, dots, colons and slash of a CIDR, no spaces");
        }
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        Cidr address;
        if (addressText.indexOf(':') >= 0) {
            long[] halves = parseIpv6(field, text, addressText);
            address = new Cidr(Family.IPV6, halves[0], halves[1], 128);
        } else if (addressText.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
            address = new Cidr(Family.IPV4, 0, parseIpv4(field, text, addressText), 32);
        } else {
            throw invalid(field, text, "is not an IPv4 or IPv6 address (names are not accepted)");
        }
        int prefix = slash < 0 ? address.family.bits : parsePrefix(field, text, text.substring(slash + 1), address.family);
        Cidr network = new Cidr(address.family, address.high & maskHigh(address.family, prefix),
                address.low & maskLow(address.family, prefix), prefix);
        if (network.high != address.high || network.low != address.low) {
            throw invalid(field, text, "has host bits set: the network is " + network + "; a single host is "
                    + new Cidr(address.family, address.high, address.low, address.family.bits));
        }
        if (network.family == Family.IPV6 && prefix >= 96 && isIpv4Mapped(network.high, network.low)) {
            throw invalid(field, text, "is IPv4-mapped IPv6, which IPv6 rules never match; write it as IPv4: "
                    + new Cidr(Family.IPV4, 0, network.low & 0xffff_ffffL, prefix - 96));
        }
        return network;
    }

    /**
     * The text as exactly one address, made from its bytes: no prefix, the rules above (so IPv4-mapped text is no
     * address), no lookup. Empty for anything else, which a caller that must reach an address refuses rather than
     * resolves.
     */
    public static Optional<InetAddress> parseAddress(String text) {
        if (text == null || text.indexOf('/') >= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse("address", text).address());
        } catch (InvalidValueException e) {
            return Optional.empty();
        }
    }

    /**
     * The networks of a comma-separated setting ({@code 10.10.0.0/24, fd00:10::/64}), each read as {@link #parse}
     * reads one, in the order written; spaces around an entry and empty entries are ignored, repeats dropped. A
     * null or blank text is no network.
     *
     * @param variable the setting's name (an environment variable), for the error
     * @throws InvalidValueException naming the variable and the first entry that is no network, and why
     */
    public static List<Cidr> parseList(String variable, String text) {
        Set<Cidr> networks = new LinkedHashSet<>();
        for (String entry : text == null ? new String[0] : text.split(",", -1)) {
            String stripped = entry.strip();
            if (!stripped.isEmpty()) {
                try {
                    networks.add(parse(variable, stripped));
                } catch (InvalidValueException e) {
                    throw new InvalidValueException(variable, variable + ": " + e.getMessage());
                }
            }
        }
        return List.copyOf(networks);
    }

    /**
     * The network of exactly this one address (/32 or /128), from its bytes; an IPv4-mapped IPv6 address is the IPv4
     * address it carries (see the class comment), so only IPv4 networks hold it.
     */
    public static Cidr host(InetAddress address) {
        ByteBuffer bytes = ByteBuffer.wrap(address.getAddress());
        if (bytes.capacity() == 4) {
            return new Cidr(Family.IPV4, 0, bytes.getInt() & 0xffff_ffffL, 32);
        }
        long high = bytes.getLong();
        long low = bytes.getLong();
        return isIpv4Mapped(high, low) ? new Cidr(Family.IPV4, 0, low & 0xffff_ffffL, 32) : new Cidr(Family.IPV6, high, low, 128);
    }

    public Family family() {
        return family;
    }

    public int prefix() {
        return prefix;
    }

    /** The network address: 4 bytes for IPv4, 16 for IPv6. */
    public byte[] addressBytes() {
        if (family == Family.IPV4) {
            return ByteBuffer.allocate(4).putInt((int) low).array();
        }
        return ByteBuffer.allocate(16).putLong(high).putLong(low).array();
    }

    /** The network address; no lookup is made. */
    public InetAddress address() {
        try {
            return InetAddress.getByAddress(addressBytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + addressBytes().length + " bytes", e);
        }
    }

    /** Whether every address of {@code other} is in this network. */
    public boolean contains(Cidr other) {
        return family == other.family && prefix <= other.prefix
                && (other.high & maskHigh(family, prefix)) == high && (other.low & maskLow(family, prefix)) == low;
    }

    /** Whether {@code address} is in this network, judged by its bytes as {@link #host(InetAddress)} reads them. */
    public boolean contains(InetAddress address) {
        return contains(host(address));
    }

    /** Whether the two networks share any address (for networks: one contains the other). */
    public boolean overlaps(Cidr other) {
        return contains(other) || other.contains(this);
    }

    /** The canonical spelling: dotted decimal, or RFC 5952 for IPv6 (lower case, longest zero run as {@code ::}). */
    @JsonValue
    @Override
    public String toString() {
        return (family == Family.IPV4 ? ipv4Text(low) : ipv6Text(high, low)) + "/" + prefix;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.family == family && c.high == high && c.low == low && c.prefix == prefix;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(high) * 31 * 31 + Long.hashCode(low) * 31 + prefix + family.ordinal();
    }

    /** In {@code ::ffff:0:0/96}: an IPv4 address in IPv6 form. */
    private static boolean isIpv4Mapped(long high, long low) {
        return high == 0 && (low >>> 32) == 0xffffL;
    }

    private static long maskHigh(Family family, int prefix) {
        if (family == Family.IPV4 || prefix >= 64) {
            return family == Family.IPV4 ? 0 : -1L;
        }
        return prefix == 0 ? 0 : -1L << (64 - prefix);
    }

    private static long maskLow(Family family, int prefix) {
        if (family == Family.IPV4) {
            return (0xffff_ffffL << (32 - prefix)) & 0xffff_ffffL;
        }
        return prefix <= 64 ? 0 : -1L << (128 - prefix);
    }

    private static int parsePrefix(String field, String text, String digits, Family family) {
        if (!isDecimal(digits, 3)) {
            throw invalid(field, text, "needs a prefix length after the slash: a whole number from 0 to " + family.bits
                    + " without leading zeros");
        }
        int prefix = Integer.parseInt(digits);
        if (prefix > family.bits) {
            throw invalid(field, text, "has a prefix longer than the " + family.bits + " bits of an "
                    + (family == Family.IPV4 ? "IPv4" : "IPv6") + " address");
        }
        return prefix;
    }

    /** 1 to {@code maxDigits} ASCII digits, and no leading zero unless the number is 0. */
    static boolean isDecimal(String s, int maxDigits) {
        if (s.isEmpty() || s.length() > maxDigits || (s.length() > 1 && s.charAt(0) == '0')) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static long parseIpv4(String field, String text, String address) {
        String[] parts = address.split("\\.", -1);
        if (parts.length != 4) {
            throw invalid(field, text, "is not an IPv4 address: four numbers 0-255 separated by dots");
        }
        long value = 0;
        for (String part : parts) {
            if (part.length() > 1 && part.charAt(0) == '0' && isDecimal(part.substring(1), 3)) {
                throw invalid(field, text, "has a part with a leading zero, which some parsers read as octal;"
                        + " write each part in plain decimal");
            }
            if (!isDecimal(part, 3) || Integer.parseInt(part) > 255) {
                throw invalid(field, text, "is not an IPv4 address: four numbers 0-255 separated by dots");
            }
            value = (value << 8) | Integer.parseInt(part);
        }
        return value;
    }

    /** RFC 4291 text: eight groups of 1-4 hex digits, one {@code ::} for a run of zero groups, an optional dotted IPv4 tail. */
    private static long[] parseIpv6(String field, String text, String address) {
        if (address.indexOf('%') >= 0) {
            throw invalid(field, text, "has a zone id (%…), which names an interface of one host, not a destination");
        }
        int gap = address.indexOf("::");
        if (gap >= 0 && address.indexOf("::", gap + 1) >= 0) {
            throw invalid(field, text, "is not an IPv6 address: '::' may appear only once");
        }
        List<Integer> head = ipv6Groups(field, text, gap < 0 ? address : address.substring(0, gap), gap < 0);
        List<Integer> tail = gap < 0 ? List.of() : ipv6Groups(field, text, address.substring(gap + 2), true);
        int given = head.size() + tail.size();
        if (gap < 0 ? given != 8 : given > 7) {
            throw invalid(field, text, "is not an IPv6 address: it needs eight groups of 1-4 hex digits, or fewer with '::'");
        }
        List<Integer> groups = new ArrayList<>(head);
        for (int i = given; i < 8; i++) {
            groups.add(0);
        }
        groups.addAll(tail);
        long high = 0;
        long low = 0;
        for (int i = 0; i < 4; i++) {
            high = (high << 16) | groups.get(i);
            low = (low << 16) | groups.get(i + 4);
        }
        return new long[] { high, low };
    }

    private static List<Integer> ipv6Groups(String field, String text, String part, boolean dottedTailAllowed) {
        List<Integer> groups = new ArrayList<>();
        if (part.isEmpty()) {
            return groups;
        }
        String[] items = part.split(":", -1);
        for (int i = 0; i < items.length; i++) {
            String item = items[i];
            if (dottedTailAllowed && i == items.length - 1 && item.indexOf('.') >= 0) {
                long v4 = parseIpv4(field, text, item);
                groups.add((int) (v4 >>> 16));
                groups.add((int) (v4 & 0xffff));
            } else if (!item.isEmpty() && item.length() <= 4 && item.chars().allMatch(Cidr::isHexDigit)) {
                groups.add(Integer.parseInt(item, 16));
            } else {
                throw invalid(field, text, "is not an IPv6 address: "
                        + (item.isEmpty() ? "a group is empty" : InvalidValueException.quote(item) + " is not 1-4 hex digits"));
            }
        }
        return groups;
    }

    private static boolean isHexDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static String ipv4Text(long value) {
        return (value >>> 24 & 0xff) + "." + (value >>> 16 & 0xff) + "." + (value >>> 8 & 0xff) + "." + (value & 0xff);
    }

    private static String ipv6Text(long high, long low) {
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
            groups[i + 4] = (int) (low >>> (48 - 16 * i)) & 0xffff;
        }
        // RFC 5952 §4.2: the longest run of two or more zero groups becomes "::", the first of equal runs.
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8;) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(j, i + 1);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    private static InvalidValueException invalid(String field, String text, String why) {
        return new InvalidValueException(field, InvalidValueException.quote(text) + " " + why);
    }
}
