package io.sandplane.provisioner.config;

import io.sandplane.model.InvalidValueException;
import io.sandplane.model.network.Cidr;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What isolates guests on the network, checked at start-up: whether PVE's firewall is enforced, who may connect to
 * guests (the url-router, the provisioners), what no guest may reach (the control plane), the operator's egress
 * exceptions, and the sandbox network guests' addresses must be in. A wrong value stops the service with a message
 * naming the variable.
 *
 * @param routers       {@code SANDPLANE_FIREWALL_ROUTER_CIDRS}
 * @param provisioners  {@code SANDPLANE_FIREWALL_PROVISIONER_CIDRS}
 * @param controlPlane  {@code SANDPLANE_CONTROL_PLANE_CIDRS}, maybe empty
 * @param egressAllowed {@code SANDPLANE_EGRESS_ALLOWED_CIDRS}, maybe empty
 * @param ipPool        {@code PVE_IP_POOL_CIDR}; empty only when the firewall is off and it was not set
 */
public record IsolationSettings(Mode mode, List<Cidr> routers, List<Cidr> provisioners, List<Cidr> controlPlane,
        List<Cidr> egressAllowed, List<Cidr> ipPool) {

    public enum Mode {
        /** Every guest runs behind PVE's firewall; a start that cannot have it fails. */
        ENFORCE,
        /** Sandplane leaves PVE's firewall alone: guests are not isolated from each other or the network. */
        OFF;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String MODE = "SANDPLANE_FIREWALL";
    public static final String ROUTERS = "SANDPLANE_FIREWALL_ROUTER_CIDRS";
    public static final String PROVISIONERS = "SANDPLANE_FIREWALL_PROVISIONER_CIDRS";
    public static final String CONTROL_PLANE = "SANDPLANE_CONTROL_PLANE_CIDRS";
    public static final String EGRESS_ALLOWED = "SANDPLANE_EGRESS_ALLOWED_CIDRS";
    public static final String IP_POOL = "PVE_IP_POOL_CIDR";

    public IsolationSettings {
        routers = List.copyOf(routers);
        provisioners = List.copyOf(provisioners);
        controlPlane = List.copyOf(controlPlane);
        egressAllowed = List.copyOf(egressAllowed);
        ipPool = List.copyOf(ipPool);
    }

    static IsolationSettings parse(ProvisionerConfig config) {
        String modeText = config.sandplane().firewall().mode().trim();
        Mode mode = switch (modeText) {
            case "enforce" -> Mode.ENFORCE;
            case "off" -> Mode.OFF;
            default -> throw new IllegalStateException(MODE + " is invalid: expected enforce (the default) or off (unsafe:"
                    + " guests are not isolated), got " + InvalidValueException.quote(modeText));
        };
        boolean enforce = mode == Mode.ENFORCE;
        List<Cidr> routers = ipSetEntries(ROUTERS, config.sandplane().firewall().routerCidrs());
        List<Cidr> provisioners = ipSetEntries(PROVISIONERS, config.sandplane().firewall().provisionerCidrs());
        List<Cidr> pool = cidrs(IP_POOL, config.pve().ipPoolCidr());
        if (enforce) {
            required(routers, ROUTERS, "every guest accepts connections only from the url-router's addresses: set it"
                    + " to the addresses the url-router connects to guests from, as PVE sees them (e.g. 10.10.0.2/32)");
            required(provisioners, PROVISIONERS, "every guest's execd (port 39375) accepts connections only from the"
                    + " provisioners: set it to the addresses provisioners connect to guests from (e.g. 10.10.0.3/32)");
            required(pool, IP_POOL, "a guest must get its address inside the sandbox network: set it to the subnet or"
                    + " DHCP range of the bridge sandboxes use (PVE_BRIDGE), e.g. 10.10.0.0/24");
            apartFromSandboxes(ROUTERS, routers, pool);
            apartFromSandboxes(PROVISIONERS, provisioners, pool);
        }
        return new IsolationSettings(mode, routers, provisioners,
                ipSetEntries(CONTROL_PLANE, config.sandplane().controlPlaneCidrs()),
                ipSetEntries(EGRESS_ALLOWED, config.sandplane().egressAllowedCidrs()), pool);
    }

    public boolean enforced() {
        return mode == Mode.ENFORCE;
    }

    /** Whether an IPv4 or IPv6 address is inside {@code PVE_IP_POOL_CIDR} (false for text that is no address). */
    public boolean inPool(String address) {
        Optional<Cidr> host = cidr(address);
        return host.isPresent() && ipPool.stream().anyMatch(network -> network.contains(host.get()));
    }

    /** A network, or an address as a one-host network; empty for text that is neither (a name, an IP set reference). */
    public static Optional<Cidr> cidr(String text) {
        try {
            return Optional.of(Cidr.parse("address", text));
        } catch (InvalidValueException e) {
            return Optional.empty();
        }
    }

    /** E.g. {@code 10.10.0.0/24, 2001:db8::/64}. */
    public static String describe(List<Cidr> cidrs) {
        return cidrs.isEmpty() ? "(none)" : cidrs.stream().map(Cidr::toString).collect(Collectors.joining(", "));
    }

    private static List<Cidr> cidrs(String variable, Optional<String> value) {
        try {
            return Cidr.parseList(variable, value.orElse(""));
        } catch (InvalidValueException e) {
            // A configuration error stops the service (IllegalStateException), naming the variable as parseList does.
            throw new IllegalStateException(e.getMessage() + " (expected comma-separated CIDRs such as"
                    + " 10.10.0.0/24,2001:db8::/64)", e);
        }
    }

    /** CIDRs that become entries of a PVE IP set, which refuses a zero prefix (and "everyone" is never meant). */
    private static List<Cidr> ipSetEntries(String variable, Optional<String> value) {
        List<Cidr> cidrs = cidrs(variable, value);
        for (Cidr cidr : cidrs) {
            if (cidr.prefix() == 0) {
                throw new IllegalStateException(variable + " is invalid: " + cidr + " is every address; PVE's IP sets"
                        + " refuse a zero prefix, and a firewall rule for everyone isolates nothing");
            }
        }
        return cidrs;
    }

    private static void required(List<Cidr> value, String variable, String why) {
        if (value.isEmpty()) {
            throw new IllegalStateException(variable + " is not set: with " + MODE + "=enforce (the default) " + why
                    + "; or set " + MODE + "=off, which leaves guests unisolated");
        }
    }

    /**
     * A network of routers or provisioners overlapping the sandbox network would let every sandbox with an address in
     * it connect to every other one. A single host inside is fine: DHCP does not hand out an address in use, and
     * {@code ipfilter} keeps a guest from sending from any address but its own.
     */
    private static void apartFromSandboxes(String variable, List<Cidr> trusted, List<Cidr> pool) {
        for (Cidr cidr : trusted) {
            if (cidr.prefix() == cidr.family().bits()) {
                continue;
            }
            for (Cidr network : pool) {
                if (cidr.overlaps(network)) {
                    throw new IllegalStateException(variable + " is invalid: " + cidr + " overlaps the sandbox network "
                            + network + " (" + IP_POOL + "), so sandboxes with addresses in it would reach every other"
                            + " sandbox; name the hosts themselves (single addresses may be inside the sandbox network)");
                }
            }
        }
    }
}
