package io.sandplane.urlrouter.network;

import io.sandplane.model.network.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Which addresses the proxy may forward to: only sandbox guests. A sandbox's address comes from the
 * database, where the provisioner recorded what PVE reported, and a guest can change what PVE reports;
 * so before the proxy connects anywhere, the address is judged against what the operator configured:
 * <ol>
 * <li>never an address no guest can have, whatever the configuration ({@link #NEVER}): the unspecified
 * addresses (a connection to {@code 0.0.0.0} reaches this host), {@code 127.0.0.1} and {@code ::1} (this
 * host's own listeners), multicast, broadcast and the reserved 240.0.0.0/4;</li>
 * <li>never the control plane ({@code SANDPLANE_CONTROL_PLANE_CIDRS}: PVE hosts, the database,
 * Sandplane's own hosts) nor any address of the router's own host, even inside the pool;</li>
 * <li>only inside the sandbox network ({@code PVE_IP_POOL_CIDR}).</li>
 * </ol>
 * A pure function of the address's bytes: spelling plays no part (see {@link Cidr#contains(InetAddress)}).
 */
public final class SandboxNetwork {

    public static final String POOL_VARIABLE = "PVE_IP_POOL_CIDR";
    public static final String CONTROL_PLANE_VARIABLE = "SANDPLANE_CONTROL_PLANE_CIDRS";

    /** Addresses that are never a guest's; see the class comment. */
    static final List<Cidr> NEVER = Stream.of("0.0.0.0/8", "127.0.0.1/32", "224.0.0.0/3", "::/128", "::1/128", "ff00::/8")
            .map(Cidr::of).toList();

    /** Whether the proxy may connect to an address, and if not, why. */
    public enum Verdict {
        ALLOWED("inside the sandbox network"),
        NOT_AN_ADDRESS("not an IP address as recorded (only plain IPv4 and IPv6 literals are, not IPv4-mapped IPv6)"),
        RESERVED("an address no guest has (unspecified, this host's loopback, multicast or broadcast)"),
        CONTROL_PLANE("a control-plane address (" + CONTROL_PLANE_VARIABLE + ", or one of this host's own addresses)"),
        OUTSIDE_POOL("outside the sandbox network (" + POOL_VARIABLE + ")");

        private final String reason;

        Verdict(String reason) {
            this.reason = reason;
        }

        /** For operators' logs; not for the sandbox's users, who should not learn the network's layout. */
        public String reason() {
            return reason;
        }
    }

    private final List<Cidr> pool;
    private final List<Cidr> controlPlane;

    /**
     * @param pool where guests live
     * @param controlPlane never forwarded to, even inside the pool
     */
    public SandboxNetwork(List<Cidr> pool, List<Cidr> controlPlane) {
        this.pool = List.copyOf(pool);
        this.controlPlane = List.copyOf(controlPlane);
    }

    /**
     * The network as configured: {@code pool} ({@value #POOL_VARIABLE}) is required, {@code controlPlane}
     * ({@value #CONTROL_PLANE_VARIABLE}) optional; {@code ownAddresses} (the router host's interfaces) join the
     * control plane.
     *
     * @throws IllegalStateException naming the variable and what is wrong with it, for start-up to fail with
     * @throws io.sandplane.model.InvalidValueException likewise, for a value that is no list of networks
     */
    public static SandboxNetwork configured(Optional<String> pool, Optional<String> controlPlane, List<InetAddress> ownAddresses) {
        String poolText = pool.map(String::strip).orElse("");
        if (poolText.isEmpty()) {
            throw new IllegalStateException(POOL_VARIABLE + " is not set: the url-router forwards only to addresses inside the"
                    + " sandbox network. Set it to the comma-separated CIDRs your guests get addresses from (on PVE, the subnet"
                    + " or DHCP range of the bridge sandboxes use, e.g. 10.10.0.0/24)");
        }
        List<Cidr> poolCidrs = Cidr.parseList(POOL_VARIABLE, poolText);
        if (poolCidrs.isEmpty()) {
            throw new IllegalStateException(POOL_VARIABLE + " names no network: '" + poolText + "'");
        }
        List<Cidr> configured = Cidr.parseList(CONTROL_PLANE_VARIABLE, controlPlane.orElse(""));
        return new SandboxNetwork(poolCidrs,
                Stream.concat(configured.stream(), ownAddresses.stream().map(Cidr::host)).distinct().toList());
    }

    public Verdict judge(InetAddress address) {
        if (anyContains(NEVER, address)) {
            return Verdict.RESERVED;
        }
        if (anyContains(controlPlane, address)) {
            return Verdict.CONTROL_PLANE;
        }
        return anyContains(pool, address) ? Verdict.ALLOWED : Verdict.OUTSIDE_POOL;
    }

    private static boolean anyContains(List<Cidr> networks, InetAddress address) {
        return networks.stream().anyMatch(network -> network.contains(address));
    }

    public List<Cidr> pool() {
        return pool;
    }

    public List<Cidr> controlPlane() {
        return controlPlane;
    }
}
