package io.sandplane.simulator.service;

import io.sandplane.simulator.firewall.FirewallConfig;
import io.sandplane.simulator.firewall.FirewallFiles;
import io.sandplane.simulator.firewall.FirewallFormats;
import io.sandplane.simulator.firewall.FirewallStore;
import io.sandplane.simulator.firewall.NetIp;
import io.sandplane.simulator.firewall.RuleVerifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a scenario's datacenter firewall into {@code cluster.fw}, checked as the API checks the
 * same values (a scenario PVE would refuse is refused with the reason).
 */
final class ScenarioFirewall {

    private static final Map<String, Set<String>> ENUM_OPTIONS = Map.of(
            "policy_in", Set.of("ACCEPT", "REJECT", "DROP"),
            "policy_out", Set.of("ACCEPT", "REJECT", "DROP"),
            "policy_forward", Set.of("ACCEPT", "DROP"));
    private static final Set<String> RULE_KEYS = Set.of("type", "action", "macro", "iface", "source", "dest", "proto",
            "enable", "log", "sport", "dport", "comment", "icmp-type");
    private static final Set<String> LOG_LEVELS = Set.of("emerg", "alert", "crit", "err", "warning", "notice", "info",
            "debug", "nolog");

    private ScenarioFirewall() {
    }

    static void apply(FirewallStore store, Scenario.FirewallSpec spec) {
        if (spec == null) {
            return;
        }
        FirewallConfig conf = store.cluster();
        conf.setOptions(options(spec.options()));
        conf.ensureIpsets();
        for (Scenario.IpsetSpec set : spec.ipsets()) {
            checkName("IP set", set.name(), 64);
            if (conf.ipsets().containsKey(set.name())) {
                throw new IllegalArgumentException("duplicate IP set '" + set.name() + "'");
            }
            List<Map<String, Object>> entries = new ArrayList<>();
            for (Scenario.EntrySpec e : set.entries()) {
                entries.add(entry(set.name(), e, entries));
            }
            conf.ipsets().put(set.name(), entries);
            if (set.comment() != null) {
                conf.ipsetComments().put(set.name(), set.comment());
            }
        }
        store.saveCluster(conf);
        // rules are checked against the IP sets as PVE reads them back (names lower-cased)
        conf = store.cluster();
        conf.ensureGroups();
        Set<String> ipsets = FirewallFiles.ipsetNames(conf, null);
        for (Scenario.GroupSpec group : spec.groups()) {
            checkName("security group", group.group(), 18);
            if (conf.groups().containsKey(group.group())) {
                throw new IllegalArgumentException("duplicate security group '" + group.group() + "'");
            }
            List<Map<String, Object>> rules = new ArrayList<>();
            int i = 0;
            for (Map<String, Object> spec0 : group.rules()) {
                rules.add(rule(group.group(), i++, spec0, ipsets));
            }
            conf.groups().put(group.group(), rules);
            if (group.comment() != null) {
                conf.groupComments().put(group.group(), group.comment());
            }
        }
        store.saveCluster(conf);
    }

    private static Map<String, String> options(Map<String, Object> given) {
        Map<String, String> out = new LinkedHashMap<>();
        given.forEach((k, v) -> {
            String value = v instanceof Boolean b ? (b ? "1" : "0") : String.valueOf(v);
            boolean ok = switch (k) {
                case "enable" -> value.matches("\\d{1,10}");
                case "ebtables" -> value.matches("[01]");
                case "policy_in", "policy_out", "policy_forward" -> ENUM_OPTIONS.get(k).contains(value);
                case "log_ratelimit" -> !value.isBlank() && !value.contains(" ");
                default -> throw new IllegalArgumentException("firewall option '" + k + "' is not a datacenter firewall option");
            };
            if (!ok) {
                throw new IllegalArgumentException("firewall option " + k + ": invalid value '" + value + "'");
            }
            out.put(k, value);
        });
        return out;
    }

    private static void checkName(String what, String name, int maxLength) {
        if (name == null || name.length() < 2 || name.length() > maxLength
                || !name.matches(FirewallFormats.NAME_PATTERN)) {
            throw new IllegalArgumentException("invalid " + what + " name '" + name + "'");
        }
    }

    private static Map<String, Object> entry(String set, Scenario.EntrySpec e, List<Map<String, Object>> entries) {
        String problem = e.cidr() == null ? "an entry needs a cidr" : NetIp.ipOrCidrProblem(e.cidr());
        if (problem != null) {
            throw new IllegalArgumentException("IP set '" + set + "': " + problem);
        }
        String cidr = NetIp.ipOrCidr(NetIp.cleanCidr(e.cidr()))[0];
        if (cidr.matches(".*/0+$")) {
            throw new IllegalArgumentException("IP set '" + set + "': a zero prefix is not allowed in ipset entries");
        }
        for (Map<String, Object> other : entries) {
            if (cidr.equals(other.get("cidr"))) {
                throw new IllegalArgumentException("IP set '" + set + "': address '" + cidr + "' already exists");
            }
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("cidr", cidr);
        if (Boolean.TRUE.equals(e.nomatch())) {
            entry.put("nomatch", "1");
        }
        if (FirewallFiles.perlTrue(e.comment())) {
            entry.put("comment", e.comment());
        }
        return entry;
    }

    private static Map<String, Object> rule(String group, int index, Map<String, Object> spec, Set<String> ipsets) {
        Map<String, Object> rule = new LinkedHashMap<>();
        String where = "security group '" + group + "' rule " + index;
        spec.forEach((k, v) -> {
            if (!RULE_KEYS.contains(k)) {
                throw new IllegalArgumentException(where + ": unknown property '" + k + "'");
            }
            if (v != null) {
                rule.put(k, v instanceof Boolean b ? (b ? "1" : "0") : String.valueOf(v));
            }
        });
        if (rule.containsKey("log") && !LOG_LEVELS.contains(rule.get("log"))) {
            throw new IllegalArgumentException(where + ": log: invalid value '" + rule.get("log") + "'");
        }
        try {
            RuleVerifier.verify(rule, ipsets, RuleVerifier.Env.GROUP, true);
        } catch (PveException e) {
            throw new IllegalArgumentException(where + ": " + e.errors());
        }
        rule.putIfAbsent("enable", "1");
        return rule;
    }
}
