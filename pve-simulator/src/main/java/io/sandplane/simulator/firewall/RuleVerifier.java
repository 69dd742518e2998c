package io.sandplane.simulator.firewall;

import io.sandplane.simulator.service.PveException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PVE's verify_rule: checks a rule in the context of the configs it may reference (IP sets of the
 * cluster and of the guest) and of where it lives (its rule environment). The API refuses a rule at
 * its first problem (400 with that parameter); when a config file is read back, problems are kept in
 * the rule's {@code errors} and the rule is left out of the compiled ruleset.
 */
public final class RuleVerifier {

    /** Where a rule lives: the rule types and whether {@code iface} is allowed. */
    public enum Env {
        CT("ct", List.of("in", "out", "group"), true),
        VM("vm", List.of("in", "out", "group"), true),
        GROUP("group", List.of("in", "out", "forward"), false),
        CLUSTER("cluster", List.of("in", "out", "forward", "group"), true);

        final String word;
        final List<String> types;
        final boolean iface;

        Env(String word, List<String> types, boolean iface) {
            this.word = word;
            this.types = types;
            this.iface = iface;
        }
    }

    /** Every property a rule can have (PVE's $rule_properties): what copy_rule_data copies. */
    public static final List<String> PROPERTIES = List.of("pos", "digest", "type", "action", "macro", "iface", "source",
            "dest", "proto", "enable", "log", "sport", "dport", "comment", "icmp-type");

    private static final Pattern ACTION = Pattern.compile("^(ACCEPT|DROP|REJECT)$");
    private static final Pattern GROUP_NAME = Pattern.compile("^" + FirewallFormats.NAME_PATTERN + "$");
    private static final Pattern IPSET_REF = Pattern.compile("^\\+(guest/|dc/|sdn/)?(" + FirewallFormats.NAME_PATTERN + ")$");
    private static final Pattern ALIAS_REF = Pattern.compile("^(guest/|dc/)?(" + FirewallFormats.NAME_PATTERN + ")$");
    private static final Pattern NET_ID = Pattern.compile("^net(\\d+)$");

    private RuleVerifier() {
    }

    /** A problem found while verifying; raised at once by the API, collected when reading a file. */
    private static final class Problems {
        final boolean raise;
        final Map<String, String> errors = new LinkedHashMap<>();
        int count;

        Problems(boolean raise) {
            this.raise = raise;
        }

        void add(String param, String message) {
            String msg = message.endsWith("\n") ? message.substring(0, message.length() - 1) : message;
            if (raise) {
                throw PveException.param(param, msg);
            }
            count++;
            errors.putIfAbsent(param, msg);
        }
    }

    /** A mix of IPv4 and IPv6 in one rule: PVE dies with this outside of any parameter. */
    private static final class MixedVersions extends Exception {
        MixedVersions() {
            super("detected mixed ipv4/ipv6 addresses in rule", null, false, false);
        }
    }

    /**
     * Verifies a rule in place: sets {@code ipversion} when the addresses or protocol fix it,
     * replaces {@code macro} by its canonical name and, when reading back ({@code raise} false),
     * stores the problems under {@code errors}.
     *
     * @param ipsets the names of the IP sets the rule may reference (cluster's and guest's)
     */
    public static void verify(Map<String, Object> rule, Set<String> ipsets, Env env, boolean raise) {
        Problems p = new Problems(raise);
        int[] version = {0};
        String type = str(rule, "type");
        String action = str(rule, "action");
        if (!FirewallFiles.perlTrue(type)) {
            p.add("type", "missing property");
        }
        if (!FirewallFiles.perlTrue(action)) {
            p.add("action", "missing property");
        }
        if (FirewallFiles.perlTrue(type)) {
            if (!env.types.contains(type)) {
                p.add("type", "invalid rule type '" + type + "' for rule_env '" + env.word + "'");
            }
            if (type.equals("in") || type.equals("out") || type.equals("forward")) {
                if (type.equals("forward") && "REJECT".equals(action)) {
                    p.add("action", "cannot define REJECT rules on forward chain");
                }
                if (FirewallFiles.perlTrue(action) && !ACTION.matcher(action).matches()) {
                    p.add("action", "unknown action '" + action + "'");
                }
            } else if (type.equals("group")) {
                if (env == Env.GROUP) {
                    p.add("type", "security groups not allowed");
                }
                if (FirewallFiles.perlTrue(action) && !GROUP_NAME.matcher(action).matches()) {
                    p.add("action", "invalid characters in security group name");
                }
            } else {
                p.add("type", "unknown rule type '" + type + "'");
            }
        }
        String iface = str(rule, "iface");
        if (FirewallFiles.perlTrue(iface)) {
            if (!env.iface) {
                p.add("type", "parameter -i not allowed for this rule type");
            }
            String problem = FirewallFormats.check("pve-iface", iface);
            if (problem != null) {
                p.add("iface", problem);
            }
            if ((env == Env.VM || env == Env.CT) && !NET_ID.matcher(iface).matches()) {
                p.add("iface", "value does not match the regex pattern 'net\\d+'");
            }
        }
        String macro = str(rule, "macro");
        if (FirewallFiles.perlTrue(macro)) {
            FirewallTables.Macro known = FirewallTables.macro(macro);
            if (known != null) {
                rule.put("macro", known.name());
            } else {
                p.add("macro", "unknown macro '" + macro + "'");
            }
        }
        String proto = str(rule, "proto");
        boolean icmp = false;
        if (FirewallFiles.perlTrue(proto)) {
            String problem = FirewallFormats.protocolProblem(proto);
            if (problem != null) {
                p.add("proto", problem);
            }
            if (proto.equals("icmp")) {
                version[0] = 4;
            } else if (proto.equals("icmpv6") || proto.equals("ipv6-icmp")) {
                version[0] = 6;
            }
            icmp = FirewallTables.isIcmp(proto);
        }
        String dport = str(rule, "dport");
        if (FirewallFiles.perlTrue(dport)) {
            // a destination port list may hold ICMP types (where they lived before icmp-type)
            checkPorts(p, "dport", dport, proto, icmp);
        }
        String icmpType = str(rule, "icmp-type");
        if (FirewallFiles.perlTrue(icmpType)) {
            if (!icmp) {
                p.add("proto", "missing property - 'icmp-type' requires this property");
            }
            if (FirewallFiles.perlTrue(dport)) {
                p.add("icmp-type", "'icmp-type' cannot be specified together with 'dport'");
            }
            if ("icmp".equals(proto) && !FirewallTables.ICMP_TYPES.contains(icmpType)) {
                p.add("icmp-type", "invalid icmp-type '" + icmpType + "' for proto 'icmp'");
            } else if (("icmpv6".equals(proto) || "ipv6-icmp".equals(proto)) && !FirewallTables.ICMPV6_TYPES.contains(icmpType)) {
                p.add("icmp-type", "invalid icmp-type '" + icmpType + "' for proto '" + proto + "'");
            }
        }
        String sport = str(rule, "sport");
        if (FirewallFiles.perlTrue(sport)) {
            checkPorts(p, "sport", sport, proto, false);
        }
        for (String name : List.of("source", "dest")) {
            String value = str(rule, name);
            if (!FirewallFiles.perlTrue(value)) {
                continue;
            }
            try {
                setVersion(version, FirewallFormats.addressListVersion(value));
            } catch (FirewallFormats.Invalid e) {
                p.add(name, e.getMessage());
            } catch (MixedVersions e) {
                p.add(name, e.getMessage());
            }
            checkReference(p, name, value, ipsets);
        }
        if (version[0] != 0) {
            rule.put("ipversion", Integer.toString(version[0]));
        }
        if (FirewallFiles.perlTrue(str(rule, "macro")) && p.count == 0) {
            applyMacro(rule, p);
        }
        if (p.count > 0) {
            rule.put("errors", p.errors);
        }
    }

    /** A port list, and the protocol it needs (one with ports, or ICMP where ICMP types are allowed). */
    private static void checkPorts(Problems p, String key, String ports, String proto, boolean icmp) {
        try {
            FirewallFormats.ports(ports, icmp);
        } catch (FirewallFormats.Invalid e) {
            p.add(key, e.getMessage());
        }
        if (!FirewallFiles.perlTrue(proto)) {
            p.add("proto", "missing property - '" + key + "' requires this property");
        }
        String protocol = proto == null ? "" : proto;
        if (!FirewallTables.PROTOCOLS_WITH_PORTS.contains(protocol) && !icmp) {
            p.add(key, "protocol '" + protocol + "' does not support ports");
        }
    }

    private static void setVersion(int[] version, int v) throws MixedVersions {
        if (v != 0) {
            if (version[0] != 0 && version[0] != v) {
                throw new MixedVersions();
            }
            version[0] = v;
        }
    }

    /** An IP set reference must name a known set (in any scope); an alias must exist (the simulator has none). */
    private static void checkReference(Problems p, String name, String value, Set<String> ipsets) {
        if (value.startsWith("+")) {
            Matcher m = IPSET_REF.matcher(value);
            if (!m.matches()) {
                p.add(name, "invalid ipset name '" + value + "'");
            } else if (!ipsets.contains(m.group(2))) {
                p.add(name, "no such ipset '" + m.group(2) + "'");
            }
        } else if (ALIAS_REF.matcher(value).matches()) {
            p.add(name, "no such alias '" + value + "'");
        }
    }

    /**
     * PVE's apply_macro in its verifying mode: a rule parameter the macro also sets must agree with
     * it. PVE walks the parameters in Perl's hash order; this walks them sorted, so when several
     * disagree the one reported may differ from PVE's.
     */
    private static void applyMacro(Map<String, Object> rule, Problems p) {
        FirewallTables.Macro macro = FirewallTables.macro(str(rule, "macro"));
        String version = str(rule, "ipversion");
        List<FirewallTables.MacroRule> rules = macro.rulesFor(version == null ? 0 : Integer.parseInt(version));
        for (FirewallTables.MacroRule m : rules) {
            Map<String, String> fixed = new TreeMap<>();
            if (m.proto() != null) {
                fixed.put("proto", m.proto());
            }
            if (m.dport() != null) {
                fixed.put("dport", m.dport());
            }
            if (m.sport() != null) {
                fixed.put("sport", m.sport());
            }
            for (String key : new TreeMap<>(rule).keySet()) {
                Object value = rule.get(key);
                if (key.equals("macro") || !(value instanceof String s) || !fixed.containsKey(key)) {
                    continue;
                }
                if (!fixed.get(key).equals(s)) {
                    p.add(key, "parameter '" + key + "' already define in macro (value = '" + fixed.get(key) + "')");
                }
            }
        }
    }

    static String str(Map<String, Object> rule, String key) {
        Object v = rule.get(key);
        return v instanceof String s ? s : null;
    }
}
