package io.sandplane.urlrouter.network;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * The text of one IP address, read strictly and never looked up. Which address a text names must
 * not depend on who reads it: {@code 010.0.0.1} is 10.0.0.1 to some parsers and 8.0.0.1 to others,
 * {@code 127.1} and {@code 2130706433} are 127.0.0.1 to {@code inet_aton}, and a text that is no
 * literal at all makes {@link InetAddress#getByName} ask DNS. So only these forms are addresses:
 * <ul>
 * <li>IPv4: four decimal numbers 0–255 separated by dots, without leading zeros ({@code 0} itself is
 * fine), ASCII digits only;</li>
 * <li>IPv6 (RFC 4291 §2.2): eight groups of one to four hexadecimal digits separated by colons, one
 * {@code ::} standing for one or more zero groups, the last two groups optionally written as a strict
 * IPv4 address; no zone ({@code %eth0}), no brackets, no surrounding whitespace.</li>
 * </ul>
 * Everything else is not an address.
 */
public final class IpLiteral {

    /** The longest IPv6 text: {@code ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255}. */
    private static final int MAX_IPV6_LENGTH = 45;

    private IpLiteral() {
    }

    /**
     * The address {@code text} names, made from its bytes without any lookup; empty unless the text is
     * exactly one address in the forms above. An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) comes
     * back as the IPv4 address it is.
     */
    public static Optional<InetAddress> parse(String text) {
        byte[] bytes = bytes(text);
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            // Only thrown for a byte array of another length than 4 or 16, which bytes() never returns.
            throw new IllegalStateException(e);
        }
    }

    /** The 4 or 16 bytes {@code text} spells, as spelt (a mapped address stays 16 bytes); null if it is no address. */
    static byte[] bytes(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (text.indexOf(':') >= 0) {
            return ipv6(text);
        }
        byte[] v4 = new byte[4];
        return ipv4(text, 0, text.length(), v4, 0) ? v4 : null;
    }

    /** Reads {@code text[from, to)} as a strict dotted IPv4 address into {@code out[at..at+3]}. */
    private static boolean ipv4(String text, int from, int to, byte[] out, int at) {
        int i = from;
        for (int part = 0; part < 4; part++) {
            if (part > 0) {
                if (i >= to || text.charAt(i) != '.') {
                    return false;
                }
                i++;
            }
            int start = i;
            int value = 0;
            while (i < to && isDigit(text.charAt(i))) {
                if (i - start == 3) {
                    return false;
                }
                value = value * 10 + (text.charAt(i) - '0');
                i++;
            }
            int length = i - start;
            if (length == 0 || (length > 1 && text.charAt(start) == '0') || value > 255) {
                return false;
            }
            out[at + part] = (byte) value;
        }
        return i == to;
    }

    private static byte[] ipv6(String text) {
        int n = text.length();
        if (n < 2 || n > MAX_IPV6_LENGTH) {
            return null;
        }
        byte[] out = new byte[16];
        int groups = 0;
        // Where "::" stands, in groups; -1 while there is none.
        int gap = -1;
        int i = 0;
        if (text.startsWith("::")) {
            gap = 0;
            i = 2;
            if (i == n) {
                return out;
            }
        }
        while (i < n) {
            if (groups == 8) {
                return null;
            }
            int start = i;
            int value = 0;
            while (i < n && hexValue(text.charAt(i)) >= 0) {
                if (i - start == 4) {
                    return null;
                }
                value = (value << 4) | hexValue(text.charAt(i));
                i++;
            }
            if (i < n && text.charAt(i) == '.') {
                // The last 32 bits written as IPv4: read again from the group's start, as decimal.
                if (groups > 6 || !ipv4(text, start, n, out, groups * 2)) {
                    return null;
                }
                groups += 2;
                break;
            }
            if (i == start) {
                return null;
            }
            out[groups * 2] = (byte) (value >> 8);
            out[groups * 2 + 1] = (byte) value;
            groups++;
            if (i == n) {
                break;
            }
            if (text.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < n && text.charAt(i) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = groups;
                i++;
            } else if (i == n) {
                // A single trailing colon.
                return null;
            }
        }
        if (gap < 0) {
            return groups == 8 ? out : null;
        }
        if (groups > 7) {
            // "::" stands for at least one group.
            return null;
        }
        int after = groups - gap;
        System.arraycopy(out, gap * 2, out, 16 - after * 2, after * 2);
        Arrays.fill(out, gap * 2, 16 - after * 2, (byte) 0);
        return out;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /**
     * What an address's bytes are: the IPv4 address of an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}), else
     * the bytes as they are.
     */
    static byte[] unmapped(byte[] bytes) {
        return isIpv4Mapped(bytes) ? Arrays.copyOfRange(bytes, 12, 16) : bytes;
    }

    /** Whether 16 bytes are an IPv4-mapped IPv6 address, {@code ::ffff:0:0/96}: the IPv4 address in their last four. */
    static boolean isIpv4Mapped(byte[] bytes) {
        if (bytes.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }
}
