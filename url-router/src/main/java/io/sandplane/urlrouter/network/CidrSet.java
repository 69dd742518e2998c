package io.sandplane.urlrouter.network;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A set of IP networks ({@link Cidr}), e.g. from a comma-separated configuration value, and whether an
 * address is in any of them. An address is judged by its bytes (never its text), an IPv4-mapped IPv6
 * address as the IPv4 address it is.
 */
public final class CidrSet {

    private static final CidrSet EMPTY = new CidrSet(List.of());

    private final List<Cidr> cidrs;

    private CidrSet(List<Cidr> cidrs) {
        this.cidrs = List.copyOf(cidrs);
    }

    public static CidrSet of(List<Cidr> cidrs) {
        return new CidrSet(cidrs);
    }

    public static CidrSet empty() {
        return EMPTY;
    }

    /**
     * Reads a comma-separated list of networks; spaces around the commas and empty entries are ignored.
     *
     * @throws IllegalArgumentException naming the first entry that is no network, and why
     */
    public static CidrSet parse(String commaSeparated) {
        List<Cidr> cidrs = new ArrayList<>();
        for (String entry : commaSeparated.split(",", -1)) {
            String trimmed = entry.strip();
            if (!trimmed.isEmpty()) {
                cidrs.add(Cidr.parse(trimmed));
            }
        }
        return new CidrSet(cidrs);
    }

    /** Every address of {@code addresses} as a network of its own (/32, /128). */
    public static CidrSet ofAddresses(List<InetAddress> addresses) {
        return new CidrSet(addresses.stream().map(Cidr::of).toList());
    }

    public boolean contains(InetAddress address) {
        byte[] bytes = IpLiteral.unmapped(address.getAddress());
        if (bytes.length == 4) {
            long v4 = Cidr.word(bytes, 0) >>> 32;
            for (Cidr cidr : cidrs) {
                if (cidr.containsIpv4(v4)) {
                    return true;
                }
            }
            return false;
        }
        long high = Cidr.word(bytes, 0);
        long low = Cidr.word(bytes, 8);
        for (Cidr cidr : cidrs) {
            if (cidr.containsIpv6(high, low)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return cidrs.isEmpty();
    }

    public List<Cidr> cidrs() {
        return cidrs;
    }

    /** Both sets' networks. */
    public CidrSet plus(CidrSet other) {
        List<Cidr> all = new ArrayList<>(cidrs);
        all.addAll(other.cidrs);
        return new CidrSet(all);
    }

    /** The networks, comma-separated, in canonical form. */
    @Override
    public String toString() {
        return cidrs.stream().map(Cidr::toString).collect(Collectors.joining(","));
    }
}
