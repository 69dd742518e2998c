package io.sandplane.simulator.firewall;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * PVE's firewall value formats (pve-firewall's Firewall.pm): address lists, port lists, protocols,
 * ICMP types, IP set entries, interface names. Each check gives PVE's message (the text PVE dies
 * with) or null; the parsers give what rule matching needs.
 */
public final class FirewallFormats {

    /** PVE's IP set, security group and alias name pattern. */
    public static final String NAME_PATTERN = "[A-Za-z][A-Za-z0-9\\-_]+";
    private static final Pattern SCOPED_ALIAS = Pattern.compile("^(dc/|guest/)?" + NAME_PATTERN + "$");
    private static final Pattern IPSET_REF = Pattern.compile("^(\\+)(\\S+)$");
    private static final Pattern IFACE = Pattern.compile("^[a-z][a-z0-9_]{1,20}([:.]\\d+)?$", Pattern.CASE_INSENSITIVE);
    private static final Pattern RANGE = Pattern.compile("^([0-9]+):([0-9]+)$");
    private static final Pattern NUMBER = Pattern.compile("^([0-9]+)$");
    private static final BigInteger MAX_PORT = BigInteger.valueOf(65535);
    static final int MAX_IPSET_NAME = 64;
    static final int MAX_ALIAS_NAME = 64;

    private FirewallFormats() {
    }

    /** The check of a registered format by name, or null when the format is not a firewall one. */
    public static String check(String format, String value) {
        return switch (format) {
            case "IPorCIDRorAlias" -> SCOPED_ALIAS.matcher(value).matches() ? null : NetIp.ipOrCidrProblem(value);
            case "pve-fw-addr-spec" -> problem(() -> addressListVersion(value));
            case "pve-fw-dport-spec" -> problem(() -> ports(value, true));
            case "pve-fw-sport-spec" -> problem(() -> ports(value, false));
            case "pve-fw-protocol-spec" -> protocolProblem(value);
            case "pve-fw-icmp-type-spec" -> FirewallTables.ICMP_TYPES.contains(value) || FirewallTables.ICMPV6_TYPES.contains(value)
                    || value.isEmpty() ? null : "invalid icmp-type value '" + value + "'";
            case "pve-iface" -> IFACE.matcher(value).matches() ? null : "invalid network interface name '" + value + "'";
            default -> null;
        };
    }

    /** A value PVE dies on, with its message. */
    public static final class Invalid extends Exception {
        public Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private interface Check {
        void run() throws Invalid;
    }

    private static String problem(Check check) {
        try {
            check.run();
            return null;
        } catch (Invalid e) {
            return e.getMessage();
        }
    }

    /** pve_fw_verify_protocol_spec; Perl skips the check for an empty or "0" protocol. */
    public static String protocolProblem(String proto) {
        if (proto.isEmpty() || proto.equals("0") || FirewallTables.knownProtocol(proto)) {
            return null;
        }
        return "unknown protocol '" + proto + "'";
    }

    /** Perl's split on commas: trailing empty fields are dropped. */
    static List<String> commaSplit(String value) {
        List<String> parts = new ArrayList<>(Arrays.asList(value.split(",", -1)));
        while (!parts.isEmpty() && parts.get(parts.size() - 1).isEmpty()) {
            parts.remove(parts.size() - 1);
        }
        return parts;
    }

    /** Whether a value is an IP set reference ({@code +name}, {@code +dc/name}, …) as parse_address_list sees it. */
    static boolean isIpsetRef(String value) {
        return IPSET_REF.matcher(value).matches();
    }

    /** Whether a value is an alias reference ({@code name}, {@code dc/name}, {@code guest/name}). */
    static boolean isAliasRef(String value) {
        return SCOPED_ALIAS.matcher(value).matches();
    }

    /**
     * PVE's parse_address_list: the IP version of an address list (0 for a reference to an IP set or
     * alias, or an empty list), or PVE's error.
     */
    public static int addressListVersion(String value) throws Invalid {
        if (isIpsetRef(value)) {
            if (value.length() > MAX_IPSET_NAME + 1) {
                throw new Invalid("ipset name too long");
            }
            return 0;
        }
        if (isAliasRef(value)) {
            if (value.length() > MAX_ALIAS_NAME) {
                throw new Invalid("alias name too long");
            }
            return 0;
        }
        List<String> elements = commaSplit(value);
        if (!String.join(",", elements).equals(value)) {
            throw new Invalid("extraneous commas in list");
        }
        int version = 0;
        boolean range = false;
        for (String element : elements) {
            NetIp.Parsed ip = NetIp.parse(element);
            if (!ip.ok()) {
                throw new Invalid("invalid IP address: " + ip.error());
            }
            range |= element.contains("-");
            int v = ip.range().version();
            if (version != 0 && v != version) {
                throw new Invalid("detected mixed ipv4/ipv6 addresses in address list '" + value + "'");
            }
            version = v;
        }
        if (range && elements.size() > 1) {
            throw new Invalid("you can't use a range in a list");
        }
        return version;
    }

    /** The addresses of a literal address list (not a reference), for matching. */
    static List<NetIp.Range> addresses(String value) {
        List<NetIp.Range> out = new ArrayList<>();
        for (String element : commaSplit(value)) {
            NetIp.Parsed ip = NetIp.parse(element);
            if (ip.ok()) {
                out.add(ip.range());
            }
        }
        return out;
    }

    /**
     * PVE's parse_port_name_number_or_range: the port ranges of a list of ports, ranges
     * ({@code a:b}) and service names. A destination port list may instead hold ICMP type names
     * (they have no ports: none are returned for them).
     */
    public static List<int[]> ports(String value, boolean dport) throws Invalid {
        List<String> elements = commaSplit(value);
        if (!String.join(",", elements).equals(value)) {
            throw new Invalid("extraneous commas in list");
        }
        List<int[]> out = new ArrayList<>();
        int count = 0;
        boolean icmp = false;
        for (String item : elements) {
            var range = RANGE.matcher(item);
            var number = NUMBER.matcher(item);
            if (range.matches()) {
                count += 2;
                int from = port(range.group(1));
                int to = port(range.group(2));
                if (from > to) {
                    throw new Invalid("backwards range '" + range.group(1) + ":" + range.group(2) + "' not allowed, did you mean '"
                            + range.group(2) + ":" + range.group(1) + "'?");
                }
                out.add(new int[] {from, to});
            } else if (number.matches()) {
                count += 1;
                int p = port(number.group(1));
                out.add(new int[] {p, p});
            } else if (dport && (FirewallTables.ICMP_TYPES.contains(item) || FirewallTables.ICMPV6_TYPES.contains(item))) {
                icmp = true;
            } else {
                Integer service = FirewallTables.service(item);
                if (service == null) {
                    throw new Invalid("invalid port '" + item + "'");
                }
                out.add(new int[] {service, service});
            }
        }
        if (icmp && count > 0) {
            throw new Invalid("ICMP ports not allowed in port range");
        }
        // a range counts as two numbers, a name as none
        if (count > 15) {
            throw new Invalid("too many entries in port list (> 15 numbers)");
        }
        return out;
    }

    private static int port(String digits) throws Invalid {
        if (new BigInteger(digits).compareTo(MAX_PORT) > 0) {
            throw new Invalid("invalid port '" + digits + "'");
        }
        return Integer.parseInt(digits);
    }
}
