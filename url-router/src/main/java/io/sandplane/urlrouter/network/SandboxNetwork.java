package io.sandplane.urlrouter.network;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

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
 * A pure function of the address's bytes: spelling plays no part (see {@link IpLiteral}, {@link Cidr}).
 */
public final class SandboxNetwork {

    public static final String POOL_VARIABLE = "PVE_IP_POOL_CIDR";
    public static final String CONTROL_PLANE_VARIABLE = "SANDPLANE_CONTROL_PLANE_CIDRS";

    /** Addresses that are never a guest's; see the class comment. */
    static final CidrSet NEVER = CidrSet.parse("0.0.0.0/8,127.0.0.1/32,224.0.0.0/3,::/128,::1/128,ff00::/8");

    /** Whether the proxy may connect to an address, and if not, why. */
    public enum Verdict {
        ALLOWED("inside the sandbox network"),
        NOT_AN_ADDRESS("not an IP address as recorded (only plain IPv4 and IPv6 literals are)"),
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

    private final CidrSet pool;
    private final CidrSet controlPlane;

    /**
     * @param pool where guests live
     * @param controlPlane never forwarded to, even inside the pool
     */
    public SandboxNetwork(CidrSet pool, CidrSet controlPlane) {
        this.pool = pool;
        this.controlPlane = controlPlane;
    }

    /**
     * The network as configured: {@code pool} ({@value #POOL_VARIABLE}) is required, {@code controlPlane}
     * ({@value #CONTROL_PLANE_VARIABLE}) optional; {@code ownAddresses} (the router host's interfaces) join the
     * control plane.
     *
     * @throws IllegalStateException naming the variable and what is wrong with it, for start-up to fail with
     */
    public static SandboxNetwork configured(Optional<String> pool, Optional<String> controlPlane, List<InetAddress> ownAddresses) {
        String poolText = pool.map(String::strip).orElse("");
        if (poolText.isEmpty()) {
            throw new IllegalStateException(POOL_VARIABLE + " is not set: the url-router forwards only to addresses inside the"
                    + " sandbox network. Set it to the comma-separated CIDRs your guests get addresses from (on PVE, the subnet"
                    + " or DHCP range of the bridge sandboxes use, e.g. 10.10.0.0/24)");
        }
        CidrSet poolCidrs = read(POOL_VARIABLE, poolText);
        if (poolCidrs.isEmpty()) {
            throw new IllegalStateException(POOL_VARIABLE + " names no network: '" + poolText + "'");
        }
        CidrSet configured = controlPlane.map(text -> read(CONTROL_PLANE_VARIABLE, text)).orElse(CidrSet.empty());
        return new SandboxNetwork(poolCidrs, configured.plus(CidrSet.ofAddresses(ownAddresses)));
    }

    private static CidrSet read(String variable, String text) {
        try {
            return CidrSet.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(variable + ": " + e.getMessage(), e);
        }
    }

    public Verdict judge(InetAddress address) {
        if (NEVER.contains(address)) {
            return Verdict.RESERVED;
        }
        if (controlPlane.contains(address)) {
            return Verdict.CONTROL_PLANE;
        }
        return pool.contains(address) ? Verdict.ALLOWED : Verdict.OUTSIDE_POOL;
    }

    public CidrSet pool() {
        return pool;
    }

    public CidrSet controlPlane() {
        return controlPlane;
    }
}
