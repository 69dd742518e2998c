package io.sandplane.urlrouter.network;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * One IP network: an address and a prefix length ({@code 10.10.0.0/24}, {@code fd00:10::/64}), or a
 * single address written without a prefix. The address is read by {@link IpLiteral} (no leading zeros,
 * no short forms, nothing looked up), and a network written with bits set after its prefix
 * ({@code 10.10.0.1/24}) is refused rather than guessed at.
 *
 * <p>IPv4 addresses are IPv4 however they are spelt: a network written as IPv4-mapped IPv6
 * ({@code ::ffff:10.0.0.0/104}) is the IPv4 network {@code 10.0.0.0/8}, and {@link #contains} reads a
 * mapped address as the IPv4 address it is (a dual-stack socket connecting to {@code ::ffff:10.0.0.5}
 * reaches 10.0.0.5). An IPv6 network therefore never contains an IPv4 address, {@code ::/0} included.
 * A mapped network with a prefix shorter than 96 would cover IPv4 and IPv6 addresses at once, so it is
 * refused: write the IPv4 part as IPv4.
 *
 * @param ipv6 an IPv6 network (else IPv4)
 * @param high the network's first 64 bits (IPv6; 0 for IPv4)
 * @param low the network's last 64 bits (IPv6), or its 32 bits (IPv4)
 * @param prefix the prefix length: 0–32 (IPv4), 0–128 (IPv6)
 */
public record Cidr(boolean ipv6, long high, long low, int prefix) {

    public Cidr {
        if (prefix < 0 || prefix > (ipv6 ? 128 : 32)) {
            throw new IllegalArgumentException("prefix " + prefix);
        }
        if ((high & ~highMask(ipv6, prefix)) != 0 || (low & ~lowMask(ipv6, prefix)) != 0) {
            throw new IllegalArgumentException("bits set after the prefix");
        }
    }

    /**
     * Reads {@code address/prefix}, or an address alone (all its bits: /32 or /128).
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String written = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = IpLiteral.bytes(written);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP network: write e.g. 10.10.0.0/24 or fd00:10::/64"
                    + " (IPv4 in plain dotted decimal, without leading zeros)");
        }
        int bits = bytes.length * 8;
        int prefix = slash < 0 ? bits : prefixLength(text, text.substring(slash + 1), bits);
        if (IpLiteral.isIpv4Mapped(bytes)) {
            if (prefix < 96) {
                throw new IllegalArgumentException("'" + text + "' covers IPv4-mapped and other IPv6 addresses at once:"
                        + " write IPv4 networks as IPv4 (e.g. 10.0.0.0/8)");
            }
            bytes = Arrays.copyOfRange(bytes, 12, 16);
            prefix -= 96;
        }
        boolean ipv6 = bytes.length == 16;
        long high = ipv6 ? word(bytes, 0) : 0;
        long low = ipv6 ? word(bytes, 8) : word(bytes, 0) >>> 32;
        long highMask = highMask(ipv6, prefix);
        long lowMask = lowMask(ipv6, prefix);
        if ((high & ~highMask) != 0 || (low & ~lowMask) != 0) {
            Cidr network = new Cidr(ipv6, high & highMask, low & lowMask, prefix);
            throw new IllegalArgumentException("'" + text + "' has bits set after its prefix: did you mean " + network + "?");
        }
        return new Cidr(ipv6, high, low, prefix);
    }

    private static int prefixLength(String text, String digits, int bits) {
        boolean plain = !digits.isEmpty() && digits.length() <= 3 && (digits.length() == 1 || digits.charAt(0) != '0')
                && digits.chars().allMatch(c -> c >= '0' && c <= '9');
        int prefix = plain ? Integer.parseInt(digits) : -1;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length: a decimal number from 0 to " + bits);
        }
        return prefix;
    }

    /** The network of exactly one address (/32 or /128; an IPv4-mapped address is its IPv4 address). */
    public static Cidr of(InetAddress address) {
        byte[] bytes = IpLiteral.unmapped(address.getAddress());
        return bytes.length == 4 ? new Cidr(false, 0, word(bytes, 0) >>> 32, 32) : new Cidr(true, word(bytes, 0), word(bytes, 8), 128);
    }

    /** Whether {@code address} is in this network (an IPv4-mapped IPv6 address counts as its IPv4 address). */
    public boolean contains(InetAddress address) {
        return CidrSet.of(List.of(this)).contains(address);
    }

    boolean containsIpv4(long address) {
        return !ipv6 && ((address ^ low) & lowMask(false, prefix)) == 0;
    }

    boolean containsIpv6(long addressHigh, long addressLow) {
        return ipv6 && ((addressHigh ^ high) & highMask(true, prefix)) == 0 && ((addressLow ^ low) & lowMask(true, prefix)) == 0;
    }

    /** Up to 8 bytes from {@code from}, big-endian, left-aligned in a long (4 bytes end up in its high half). */
    static long word(byte[] bytes, int from) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (from + i < bytes.length ? bytes[from + i] & 0xff : 0);
        }
        return value;
    }

    private static long highMask(boolean ipv6, int prefix) {
        if (!ipv6) {
            return 0;
        }
        return prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
    }

    private static long lowMask(boolean ipv6, int prefix) {
        if (!ipv6) {
            return prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
        }
        return prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
    }

    /** The canonical text: {@code 10.10.0.0/24}, {@code fd00:10:0:0:0:0:0:0/64}. */
    @Override
    public String toString() {
        byte[] bytes = new byte[ipv6 ? 16 : 4];
        for (int i = 0; i < bytes.length; i++) {
            long source = ipv6 ? (i < 8 ? high : low) : low << 32;
            bytes[i] = (byte) (source >>> (56 - 8 * (i % 8)));
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
