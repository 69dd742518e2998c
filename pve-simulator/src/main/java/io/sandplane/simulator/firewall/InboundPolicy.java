package io.sandplane.simulator.firewall;

import io.sandplane.simulator.guest.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What PVE's firewall does with new inbound TCP connections to one guest NIC (net0, the one that
 * carries the guest's address), compiled from the configs the way pve-firewall compiles its
 * iptables chains: the datacenter switch, the NIC's {@code firewall} flag, the cluster
 * {@code blacklist} IP set, the guest's {@code enable}, its enabled {@code in} rules in order with
 * security groups expanded in place, then {@code policy_in}. Rules PVE would leave out of the
 * chains (errors, another interface, IPv6, an IP set it cannot resolve in the rule's scope) are
 * left out here too. Immutable; {@link #decide} is the per-connection hot path.
 */
public final class InboundPolicy {

    /** The firewall is not in the path: everything gets in. */
    public static final InboundPolicy OPEN = new InboundPolicy(null, List.of(), Verdict.ACCEPT);

    /** A source or destination condition on an IPv4 address. */
    interface AddressMatch {
        boolean test(long address);
    }

    /** One iptables rule: its conditions on a TCP connection, and what happens when they hold. */
    record CompiledRule(AddressMatch source, AddressMatch dest, boolean anyProtocol, boolean tcp, List<int[]> dports,
                        List<int[]> sports, Verdict action) {

        boolean matches(long src, int srcPort, long dst, int port) {
            return (anyProtocol || tcp)
                    && (source == null || source.test(src))
                    && (dest == null || dest.test(dst))
                    && (dports == null || inRanges(dports, port))
                    && (sports == null || inRanges(sports, srcPort));
        }
    }

    private static final java.util.regex.Pattern IPSET_REF =
            java.util.regex.Pattern.compile("^\\+(guest/|dc/|sdn/)?(" + FirewallFormats.NAME_PATTERN + ")$");

    private final AddressMatch blacklist;
    private final List<CompiledRule> rules;
    private final Verdict policy;

    private InboundPolicy(AddressMatch blacklist, List<CompiledRule> rules, Verdict policy) {
        this.blacklist = blacklist;
        this.rules = rules;
        this.policy = policy;
    }

    /** The verdict for a new TCP connection from {@code source:sourcePort} to {@code destination:port}. */
    public Verdict decide(long source, int sourcePort, long destination, int port) {
        if (blacklist != null && blacklist.test(source)) {
            return Verdict.DROP;
        }
        for (CompiledRule rule : rules) {
            if (rule.matches(source, sourcePort, destination, port)) {
                return rule.action();
            }
        }
        return policy;
    }

    /** Whether every connection gets in. */
    public boolean open() {
        return blacklist == null && rules.isEmpty() && policy == Verdict.ACCEPT;
    }

    /**
     * Compiles the policy of a guest's net0.
     *
     * @param cluster the cluster config as read now
     * @param guest   the guest's config as read now (empty when it has none)
     * @param net0    the guest's net0 option (its {@code firewall} flag puts the NIC behind the firewall)
     */
    public static InboundPolicy compile(FirewallConfig cluster, FirewallConfig guest, String net0) {
        // pve-firewall generates nothing at all while the datacenter firewall is off
        if (cluster.options == null || !FirewallFiles.perlTrue(cluster.options.get("enable"))) {
            return OPEN;
        }
        // without firewall=1 the NIC has no firewall bridge: its traffic never meets the rules
        if (!nicFirewall(net0)) {
            return OPEN;
        }
        // the blacklist is checked for every firewalled NIC, whether the guest's firewall is on or not
        AddressMatch blacklist = cluster.hasIpset("blacklist") ? ipset(cluster.ipset("blacklist")) : null;
        if (!guest.exists() || !guest.enabled()) {
            return new InboundPolicy(blacklist, List.of(), Verdict.ACCEPT);
        }
        List<CompiledRule> compiled = new ArrayList<>();
        for (Map<String, Object> rule : guest.rules == null ? List.<Map<String, Object>>of() : guest.rules) {
            if (!applies(rule) || (FirewallFiles.perlTrue(rule.get("iface")) && !"net0".equals(rule.get("iface")))) {
                continue;
            }
            if ("group".equals(rule.get("type"))) {
                List<Map<String, Object>> group = cluster.groups == null ? null : cluster.groups.get((String) rule.get("action"));
                // an unknown group is an empty chain in PVE
                for (Map<String, Object> groupRule : group == null ? List.<Map<String, Object>>of() : group) {
                    if (applies(groupRule) && "in".equals(groupRule.get("type"))) {
                        compiled.addAll(compileRule(groupRule, cluster, null));
                    }
                }
            } else if ("in".equals(rule.get("type"))) {
                compiled.addAll(compileRule(rule, cluster, guest));
            }
        }
        String policy = guest.options.get("policy_in");
        Verdict fallback = policy == null ? Verdict.DROP : Verdict.valueOf(policy);
        return new InboundPolicy(blacklist, List.copyOf(compiled), fallback);
    }

    /** Enabled, without errors, and not limited to IPv6 (the simulator's guests speak IPv4). */
    private static boolean applies(Map<String, Object> rule) {
        Object version = rule.get("ipversion");
        return FirewallFiles.perlTrue(rule.get("enable")) && !rule.containsKey("errors")
                && (version == null || "4".equals(version));
    }

    /** The {@code firewall} flag of a NIC's property string (PVE's boolean spellings). */
    static boolean nicFirewall(String net) {
        if (net == null) {
            return false;
        }
        for (String part : net.split(",")) {
            if (part.startsWith("firewall=")) {
                return part.substring("firewall=".length()).matches("(?i)1|on|yes|true");
            }
        }
        return false;
    }

    /**
     * The iptables rules one rule becomes (a macro gives several), or none when pve-firewall would
     * fail to generate it (an IP set not found in the rule's scope, a conflicting macro, ports
     * without a protocol): PVE warns and leaves such a rule out.
     */
    private static List<CompiledRule> compileRule(Map<String, Object> rule, FirewallConfig cluster, FirewallConfig guest) {
        try {
            Verdict action = Verdict.valueOf((String) rule.get("action"));
            List<Map<String, String>> expanded = expandMacro(rule);
            List<CompiledRule> out = new ArrayList<>();
            for (Map<String, String> r : expanded) {
                out.add(compileOne(r, cluster, guest, action));
            }
            return out;
        } catch (NotGenerated | IllegalArgumentException e) {
            return List.of();
        }
    }

    private static final class NotGenerated extends Exception {
        NotGenerated() {
            super(null, null, false, false);
        }
    }

    private static List<Map<String, String>> expandMacro(Map<String, Object> rule) throws NotGenerated {
        Map<String, String> base = new java.util.HashMap<>();
        for (String key : List.of("source", "dest", "proto", "dport", "sport")) {
            if (rule.get(key) instanceof String s) {
                base.put(key, s);
            }
        }
        String macroName = RuleVerifier.str(rule, "macro");
        if (!FirewallFiles.perlTrue(macroName)) {
            return List.of(base);
        }
        List<Map<String, String>> out = new ArrayList<>();
        for (FirewallTables.MacroRule m : FirewallTables.macro(macroName).rulesFor(4)) {
            Map<String, String> r = new java.util.HashMap<>(base);
            for (String[] fixed : new String[][] {{"proto", m.proto()}, {"dport", m.dport()}, {"sport", m.sport()}}) {
                if (fixed[1] == null) {
                    continue;
                }
                if (base.containsKey(fixed[0]) && !base.get(fixed[0]).equals(fixed[1])) {
                    throw new NotGenerated();
                }
                r.put(fixed[0], fixed[1]);
            }
            out.add(r);
        }
        return out;
    }

    private static CompiledRule compileOne(Map<String, String> r, FirewallConfig cluster, FirewallConfig guest, Verdict action)
            throws NotGenerated {
        String proto = r.get("proto");
        boolean anyProtocol = !FirewallFiles.perlTrue(proto);
        List<int[]> dports = null;
        List<int[]> sports = null;
        if (anyProtocol) {
            if (FirewallFiles.perlTrue(r.get("dport")) || FirewallFiles.perlTrue(r.get("sport"))) {
                throw new NotGenerated();
            }
        } else if (!FirewallTables.isIcmp(proto)) {
            boolean withPorts = FirewallTables.PROTOCOLS_WITH_PORTS.contains(proto);
            try {
                if (FirewallFiles.perlTrue(r.get("dport"))) {
                    if (!withPorts) {
                        throw new NotGenerated();
                    }
                    dports = FirewallFormats.ports(r.get("dport"), false);
                }
                if (FirewallFiles.perlTrue(r.get("sport"))) {
                    if (!withPorts) {
                        throw new NotGenerated();
                    }
                    sports = FirewallFormats.ports(r.get("sport"), false);
                }
            } catch (FirewallFormats.Invalid e) {
                throw new NotGenerated();
            }
        }
        return new CompiledRule(address(r.get("source"), cluster, guest), address(r.get("dest"), cluster, guest),
                anyProtocol, !anyProtocol && FirewallTables.isTcp(proto), dports, sports, action);
    }

    /**
     * PVE's ipt_gen_src_or_dst_match: an IP set reference is looked up by its scope ({@code guest/}
     * first, then {@code dc/}; no scope tries both in that order), an alias must exist, anything else
     * is a literal list or range.
     */
    private static AddressMatch address(String spec, FirewallConfig cluster, FirewallConfig guest) throws NotGenerated {
        if (!FirewallFiles.perlTrue(spec)) {
            return null;
        }
        if (spec.startsWith("+")) {
            java.util.regex.Matcher m = IPSET_REF.matcher(spec);
            if (!m.matches()) {
                throw new NotGenerated();
            }
            String scope = m.group(1) == null ? "" : m.group(1);
            String name = m.group(2);
            if ((scope.isEmpty() || scope.equals("guest/")) && guest != null && guest.hasIpset(name)) {
                return ipset(guest.ipset(name));
            }
            if ((scope.isEmpty() || scope.equals("dc/")) && cluster.hasIpset(name)) {
                return ipset(cluster.ipset(name));
            }
            throw new NotGenerated();
        }
        if (FirewallFormats.isAliasRef(spec)) {
            // the simulator has no aliases: PVE fails on an unknown one and leaves the rule out
            throw new NotGenerated();
        }
        List<long[]> ranges = new ArrayList<>();
        for (NetIp.Range range : FirewallFormats.addresses(spec)) {
            if (range.version() == 4) {
                ranges.add(new long[] {range.firstV4(), range.lastV4()});
            }
        }
        long[][] bounds = ranges.toArray(long[][]::new);
        return address -> {
            for (long[] b : bounds) {
                if (address >= b[0] && address <= b[1]) {
                    return true;
                }
            }
            return false;
        };
    }

    /**
     * An ipset {@code hash:net} of the IPv4 entries without errors: the most specific entry that
     * contains an address decides, and a {@code nomatch} entry makes it a miss.
     */
    static AddressMatch ipset(List<Map<String, Object>> entries) {
        List<long[]> nets = new ArrayList<>();
        for (Map<String, Object> entry : entries) {
            if (entry.containsKey("errors")) {
                continue;
            }
            String cidr = (String) entry.get("cidr");
            String[] parsed = NetIp.ipOrCidr(cidr);
            if (parsed == null || !parsed[1].equals("4")) {
                continue;
            }
            int slash = parsed[0].indexOf('/');
            long ip = NetIp.v4(slash < 0 ? parsed[0] : parsed[0].substring(0, slash));
            int prefix = slash < 0 ? 32 : Math.min(32, Integer.parseInt(parsed[0].substring(slash + 1)));
            long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
            nets.add(new long[] {ip & mask, mask, prefix, FirewallFiles.perlTrue(entry.get("nomatch")) ? 1 : 0});
        }
        nets.sort(Comparator.comparingLong((long[] n) -> n[2]).reversed());
        long[][] table = nets.toArray(long[][]::new);
        return address -> {
            for (long[] n : table) {
                if ((address & n[1]) == n[0]) {
                    return n[3] == 0;
                }
            }
            return false;
        };
    }

    private static boolean inRanges(List<int[]> ranges, int port) {
        for (int[] r : ranges) {
            if (port >= r[0] && port <= r[1]) {
                return true;
            }
        }
        return false;
    }
}
