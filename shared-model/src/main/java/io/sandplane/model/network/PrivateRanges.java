package io.sandplane.model.network;

import java.util.List;
import java.util.stream.Stream;

/**
 * The destinations {@link EgressMode#DENY_PRIVATE} keeps a sandbox away from: everything that is not the public
 * internet, from where a sandbox runs — the hypervisor's networks and its neighbours, the host itself, the
 * cloud's metadata services (credentials live there). One list, read by the API (an allow-list entry reaching
 * into it needs the {@code open} permission) and by the provisioner (the firewall's deny set).
 */
public final class PrivateRanges {

    private PrivateRanges() {
    }

    public static final List<Cidr> IPV4 = List.of(
            cidr("0.0.0.0/8"),          // "this network": 0.0.0.0 reaches the host itself on Linux
            cidr("10.0.0.0/8"),         // private (RFC 1918)
            cidr("100.64.0.0/10"),      // carrier-grade NAT (RFC 6598); Alibaba Cloud's metadata is 100.100.100.200
            cidr("127.0.0.0/8"),        // loopback
            cidr("168.63.129.16/32"),   // Azure's host endpoint (WireServer: guest agent, DNS): public-looking, host-local
            cidr("169.254.0.0/16"),     // link-local; 169.254.169.254 is the metadata service of AWS, GCP, Azure, OpenStack…
            cidr("172.16.0.0/12"),      // private (RFC 1918)
            cidr("192.0.0.0/24"),       // IETF protocol assignments (RFC 6890), not the internet
            cidr("192.168.0.0/16"),     // private (RFC 1918)
            cidr("198.18.0.0/15"),      // benchmarking (RFC 2544), used for lab and internal networks
            cidr("224.0.0.0/4"),        // multicast: discovery on the local network (mDNS, SSDP)
            cidr("240.0.0.0/4"));       // reserved, and the broadcast address 255.255.255.255

    public static final List<Cidr> IPV6 = List.of(
            cidr("::/128"),             // unspecified
            cidr("::1/128"),            // loopback
            cidr("64:ff9b:1::/48"),     // local-use NAT64 (RFC 8215): may translate to private IPv4 addresses
            cidr("100::/64"),           // discard-only (RFC 6666)
            cidr("2002::/16"),          // 6to4 (deprecated, RFC 7526): embeds IPv4 addresses, private ones included
            cidr("fc00::/7"),           // unique local addresses; AWS's metadata service is fd00:ec2::254
            cidr("fe80::/10"),          // link-local
            cidr("fec0::/10"),          // site-local (deprecated)
            cidr("ff00::/8"));          // multicast
    // Not listed: IPv4-mapped ::ffff:0:0/96, which never appears on the wire (and Cidr refuses as a destination);
    // the well-known NAT64 prefix 64:ff9b::/96, which RFC 6052 §3.1 forbids for private IPv4 addresses,
    // and documentation ranges (192.0.2.0/24, 2001:db8::/32 …), which route nowhere.

    public static final List<Cidr> ALL = Stream.concat(IPV4.stream(), IPV6.stream()).toList();

    /** The ranges a destination shares addresses with: empty when it is wholly public. */
    public static List<Cidr> reachedBy(Cidr destination) {
        return ALL.stream().filter(destination::overlaps).toList();
    }

    private static Cidr cidr(String text) {
        return Cidr.parse("PrivateRanges", text);
    }
}
