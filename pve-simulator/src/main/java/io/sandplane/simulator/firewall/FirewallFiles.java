package io.sandplane.simulator.firewall;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text format of PVE's firewall config files ({@code /etc/pve/firewall/cluster.fw} and
 * {@code <vmid>.fw}), read and written the way pve-firewall does: PVE keeps no other state, so what
 * an API call changes is what survives a write and a read of the file (names lower-cased, rules
 * without {@code enable} disabled, IP set entries sorted, comments trimmed, unparsable lines dropped).
 */
public final class FirewallFiles {

    private static final Pattern OPTIONS = Pattern.compile("^\\[options]$", Pattern.CASE_INSENSITIVE);
    private static final Pattern ALIASES = Pattern.compile("^\\[aliases]$", Pattern.CASE_INSENSITIVE);
    private static final Pattern RULES = Pattern.compile("^\\[rules]$", Pattern.CASE_INSENSITIVE);
    private static final Pattern GROUP = Pattern.compile("^\\[group\\s+(\\S+)]\\s*(?:#\\s*(.*?)\\s*)?$", Pattern.CASE_INSENSITIVE);
    private static final Pattern IPSET = Pattern.compile("^\\[ipset\\s+(\\S+)]\\s*(?:#\\s*(.*?)\\s*)?$", Pattern.CASE_INSENSITIVE);
    private static final Pattern NAME = Pattern.compile("^" + FirewallFormats.NAME_PATTERN + "$");
    private static final Pattern COMMENT = Pattern.compile("#\\s*(.*?)\\s*$");
    private static final Pattern RULE_HEAD = Pattern.compile("^(\\S+)\\s+(\\S+)\\s*");
    private static final Pattern MACRO_ACTION = Pattern.compile("^(\\S+)\\((ACCEPT|DROP|REJECT)\\)$");
    private static final Pattern ENTRY = Pattern.compile("^(!)?\\s*(\\S+)\\s*$");
    private static final String LOG_LEVELS = "emerg|alert|crit|err|warning|notice|info|debug|nolog";
    /** Rule options after the action, in the order parse_fw_rule tries them. */
    private static final List<Object[]> RULE_OPTIONS = List.of(
            new Object[] {"proto", Pattern.compile("^(?:-p|--?proto) (\\S+)\\s*")},
            new Object[] {"dport", Pattern.compile("^--?dport (\\S+)\\s*")},
            new Object[] {"sport", Pattern.compile("^--?sport (\\S+)\\s*")},
            new Object[] {"source", Pattern.compile("^--?source (\\S+)\\s*")},
            new Object[] {"dest", Pattern.compile("^--?dest (\\S+)\\s*")},
            new Object[] {"log", Pattern.compile("^--?log (" + LOG_LEVELS + ")\\s*")},
            new Object[] {"icmp-type", Pattern.compile("^--?icmp-type (\\S+)\\s*")});
    private static final Pattern IFACE_OPTION = Pattern.compile("^-i (\\S+)\\s*");
    private static final Pattern GUEST_FLAG = Pattern.compile("^(enable|dhcp|ndp|radv|macfilter|ipfilter|ips):\\s*(0|1)\\s*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern GUEST_LOG = Pattern.compile("^(log_level_in|log_level_out):\\s*((" + LOG_LEVELS + ")\\s*)?$", Pattern.CASE_INSENSITIVE);
    private static final Pattern GUEST_POLICY = Pattern.compile("^(policy_(in|out)):\\s*(ACCEPT|DROP|REJECT)\\s*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern GUEST_QUEUES = Pattern.compile("^(ips_queues):\\s*((\\d+)(:(\\d+))?)\\s*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern CLUSTER_ENABLE = Pattern.compile("^(enable):\\s*(\\d+)\\s*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern CLUSTER_EBTABLES = Pattern.compile("^(ebtables):\\s*(0|1)\\s*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern CLUSTER_POLICY = Pattern.compile("^(policy_(in|out|forward)):\\s*(ACCEPT|DROP|REJECT)\\s*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern CLUSTER_RATELIMIT = Pattern.compile("^(log_ratelimit):\\s*(\\S+)\\s*$");
    static final int MAX_GROUP_NAME = 18;
    /** An enable timestamp (the GUI's anti-lockout step) counts for this long. */
    static final long ENABLE_TIMESTAMP_SECONDS = 60;

    private FirewallFiles() {
    }

    /** Perl's truth: neither undefined, nor empty, nor "0". */
    public static boolean perlTrue(Object value) {
        if (value == null) {
            return false;
        }
        String s = value.toString();
        return !s.isEmpty() && !s.equals("0");
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads {@code cluster.fw}. Its own IP sets are known to its rules and groups (they come first in
     * the file); an {@code enable} timestamp older than a minute reads as 0.
     */
    public static FirewallConfig readCluster(String text, long nowSeconds) {
        return read(text, null, RuleVerifier.Env.CLUSTER, nowSeconds);
    }

    /** Reads a guest's {@code <vmid>.fw}; its rules may reference the cluster's IP sets and its own. */
    public static FirewallConfig readGuest(String text, FirewallConfig cluster, RuleVerifier.Env env) {
        return read(text, cluster, env, 0);
    }

    private static FirewallConfig read(String text, FirewallConfig cluster, RuleVerifier.Env env, long now) {
        FirewallConfig conf = new FirewallConfig();
        if (text == null || text.isEmpty()) {
            return conf;
        }
        boolean isCluster = env == RuleVerifier.Env.CLUSTER;
        conf.options = new LinkedHashMap<>();
        conf.ipsets = new TreeMap<>();
        conf.ipsetComments = new LinkedHashMap<>();
        conf.rules = new ArrayList<>();
        if (isCluster) {
            conf.groups = new TreeMap<>();
            conf.groupComments = new LinkedHashMap<>();
        }
        String section = null;
        String name = null;
        Set<String> entriesSeen = new HashSet<>();
        for (String raw : text.split("\n", -1)) {
            String line = raw.replaceAll("^[ \\t]+|[ \\t]+$", "");
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            Matcher m;
            if (OPTIONS.matcher(line).matches()) {
                section = "options";
                continue;
            }
            if (ALIASES.matcher(line).matches()) {
                section = "aliases";
                continue;
            }
            if (isCluster && (m = GROUP.matcher(line)).matches()) {
                name = m.group(1).toLowerCase(Locale.ROOT);
                if (name.length() > MAX_GROUP_NAME || !NAME.matcher(name).matches()) {
                    section = null;
                    continue;
                }
                section = "groups";
                conf.groups.put(name, new ArrayList<>());
                if (perlTrue(m.group(2))) {
                    conf.groupComments.put(name, m.group(2));
                }
                continue;
            }
            if (RULES.matcher(line).matches()) {
                section = "rules";
                continue;
            }
            if ((m = IPSET.matcher(line)).matches()) {
                name = m.group(1).toLowerCase(Locale.ROOT);
                if (name.length() > FirewallFormats.MAX_IPSET_NAME || !NAME.matcher(name).matches()) {
                    section = null;
                    continue;
                }
                section = "ipset";
                conf.ipsets.put(name, new ArrayList<>());
                entriesSeen.clear();
                if (perlTrue(m.group(2))) {
                    conf.ipsetComments.put(name, m.group(2));
                }
                continue;
            }
            if (section == null) {
                continue;
            }
            switch (section) {
                case "options" -> readOption(conf.options, line, isCluster, now);
                case "rules" -> {
                    Map<String, Object> rule = readRule(line);
                    if (rule != null) {
                        FirewallConfig clusterConf = isCluster ? conf : cluster;
                        RuleVerifier.verify(rule, ipsetNames(clusterConf, isCluster ? null : conf), env, false);
                        conf.rules.add(rule);
                    }
                }
                case "groups" -> {
                    Map<String, Object> rule = readRule(line);
                    if (rule != null) {
                        RuleVerifier.verify(rule, ipsetNames(conf, null), RuleVerifier.Env.GROUP, false);
                        conf.groups.get(name).add(rule);
                    }
                }
                case "ipset" -> {
                    Map<String, Object> entry = readEntry(line, entriesSeen);
                    if (entry != null) {
                        conf.ipsets.get(name).add(entry);
                    }
                }
                default -> {
                    // aliases: the simulator does not implement them
                }
            }
        }
        return conf;
    }

    /** The IP set names a rule may reference: the cluster's and (for a guest rule) the guest's. */
    public static Set<String> ipsetNames(FirewallConfig cluster, FirewallConfig guest) {
        Set<String> names = new HashSet<>();
        if (cluster != null && cluster.ipsets != null) {
            names.addAll(cluster.ipsets.keySet());
        }
        if (guest != null && guest.ipsets != null) {
            names.addAll(guest.ipsets.keySet());
        }
        return names;
    }

    private static void readOption(Map<String, String> options, String line, boolean cluster, long now) {
        Matcher m;
        if (cluster) {
            if ((m = CLUSTER_ENABLE.matcher(line)).matches()) {
                long value = m.group(2).length() > 18 ? Long.MAX_VALUE : Long.parseLong(m.group(2));
                // an enable timestamp (the GUI's first step) lapses after a minute unless confirmed
                if (value > 1 && now - value > ENABLE_TIMESTAMP_SECONDS) {
                    value = 0;
                }
                options.put("enable", Long.toString(value));
            } else if ((m = CLUSTER_EBTABLES.matcher(line)).matches()) {
                options.put("ebtables", m.group(2));
            } else if ((m = CLUSTER_POLICY.matcher(line)).matches()) {
                options.put(m.group(1).toLowerCase(Locale.ROOT), m.group(3).toUpperCase(Locale.ROOT));
            } else if ((m = CLUSTER_RATELIMIT.matcher(line)).matches()) {
                options.put("log_ratelimit", m.group(2));
            }
            return;
        }
        if ((m = GUEST_FLAG.matcher(line)).matches()) {
            options.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        } else if ((m = GUEST_LOG.matcher(line)).matches()) {
            options.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2) != null && !m.group(2).isEmpty()
                    ? m.group(3).toLowerCase(Locale.ROOT) : "");
        } else if ((m = GUEST_POLICY.matcher(line)).matches()) {
            options.put(m.group(1).toLowerCase(Locale.ROOT), m.group(3).toUpperCase(Locale.ROOT));
        } else if ((m = GUEST_QUEUES.matcher(line)).matches()) {
            options.put("ips_queues", m.group(2));
        }
    }

    /** PVE's parse_fw_rule without the verification: null for a line it cannot parse (PVE skips it). */
    static Map<String, Object> readRule(String text) {
        Map<String, Object> rule = new LinkedHashMap<>();
        String line = text;
        Matcher comment = COMMENT.matcher(line);
        if (comment.find()) {
            rule.put("comment", comment.group(1));
            line = line.substring(0, comment.start());
        }
        if (line.startsWith("|")) {
            rule.put("enable", "0");
            line = line.substring(1);
        } else {
            rule.put("enable", "1");
        }
        Matcher head = RULE_HEAD.matcher(line);
        if (!head.find()) {
            return null;
        }
        line = line.substring(head.end());
        String type = head.group(1).toLowerCase(Locale.ROOT);
        String action = head.group(2);
        rule.put("type", type);
        rule.put("action", action);
        if (type.equals("in") || type.equals("out") || type.equals("forward")) {
            Matcher macro = MACRO_ACTION.matcher(action);
            if (macro.matches()) {
                rule.put("macro", macro.group(1));
                rule.put("action", macro.group(2));
            }
        }
        parameters:
        while (!line.isEmpty()) {
            Matcher iface = IFACE_OPTION.matcher(line);
            if (iface.find()) {
                rule.put("iface", iface.group(1));
                line = line.substring(iface.end());
                continue;
            }
            if (type.equals("group")) {
                break;
            }
            for (Object[] option : RULE_OPTIONS) {
                Matcher m = ((Pattern) option[1]).matcher(line);
                if (m.find()) {
                    rule.put((String) option[0], m.group(1));
                    line = line.substring(m.end());
                    continue parameters;
                }
            }
            break;
        }
        return line.isEmpty() ? rule : null;
    }

    /** An IP set entry line: {@code [!]cidr [# comment]}, with the problems PVE records for it. */
    private static Map<String, Object> readEntry(String text, Set<String> seen) {
        String line = text;
        String comment = null;
        Matcher c = COMMENT.matcher(line);
        if (c.find()) {
            comment = c.group(1);
            line = line.substring(0, c.start());
        }
        Matcher m = ENTRY.matcher(line);
        if (!m.matches()) {
            return null;
        }
        String cidr = m.group(2);
        Map<String, String> errors = new LinkedHashMap<>();
        if (FirewallFormats.isAliasRef(cidr)) {
            errors.put("cidr", "no such alias '" + cidr.replaceFirst("^(dc/|guest/)", "") + "'");
        } else {
            String[] parsed = NetIp.ipOrCidr(cidr);
            if (parsed == null) {
                errors.put("cidr", "value does not look like a valid IP address or CIDR network");
            } else {
                cidr = parsed[0];
                if (seen.contains(cidr)) {
                    errors.put("cidr", "duplicate ipset entry for '" + cidr + "'");
                }
            }
        }
        if (cidr.matches(".*/0+$")) {
            errors.put("cidr", "a zero prefix is not allowed in ipset entries\n");
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("cidr", cidr);
        if (m.group(1) != null) {
            entry.put("nomatch", "1");
        }
        if (perlTrue(comment)) {
            entry.put("comment", comment);
        }
        if (!errors.isEmpty()) {
            entry.put("errors", errors);
        }
        seen.add(cidr);
        return entry;
    }

    // ---------------------------------------------------------------- writing

    /** Writes {@code cluster.fw}: options, IP sets, rules, security groups; empty when there is nothing. */
    public static String writeCluster(FirewallConfig conf) {
        StringBuilder raw = new StringBuilder();
        writeOptions(raw, conf.options);
        writeIpsets(raw, conf);
        writeRules(raw, conf.rules, true);
        if (conf.groups != null) {
            for (Map.Entry<String, List<Map<String, Object>>> g : conf.groups.entrySet()) {
                String comment = conf.groupComments == null ? null : conf.groupComments.get(g.getKey());
                raw.append("[group ").append(g.getKey()).append(']');
                raw.append(perlTrue(comment) ? " # " + comment : "").append("\n\n");
                for (Map<String, Object> rule : g.getValue()) {
                    raw.append(ruleLine(rule, false));
                }
                raw.append('\n');
            }
        }
        return raw.toString();
    }

    /** Writes a guest's {@code <vmid>.fw}; empty (the file is removed) when there is nothing. */
    public static String writeGuest(FirewallConfig conf) {
        StringBuilder raw = new StringBuilder();
        writeOptions(raw, conf.options);
        writeIpsets(raw, conf);
        writeRules(raw, conf.rules, true);
        return raw.toString();
    }

    private static void writeOptions(StringBuilder raw, Map<String, String> options) {
        if (options == null || options.isEmpty()) {
            return;
        }
        raw.append("[OPTIONS]\n\n");
        options.forEach((k, v) -> raw.append(k).append(": ").append(v).append('\n'));
        raw.append('\n');
    }

    private static void writeRules(StringBuilder raw, List<Map<String, Object>> rules, boolean allowIface) {
        if (rules == null || rules.isEmpty()) {
            return;
        }
        raw.append("[RULES]\n\n");
        for (Map<String, Object> rule : rules) {
            raw.append(ruleLine(rule, allowIface));
        }
        raw.append('\n');
    }

    /** PVE's format_rules for one rule: group rules keep only their action, interface and comment. */
    static String ruleLine(Map<String, Object> rule, boolean allowIface) {
        StringBuilder line = new StringBuilder();
        String type = RuleVerifier.str(rule, "type");
        if (rule.containsKey("enable") && !perlTrue(rule.get("enable"))) {
            line.append('|');
        }
        line.append(type.toUpperCase(Locale.ROOT));
        String macro = RuleVerifier.str(rule, "macro");
        line.append(' ').append(perlTrue(macro) ? macro + "(" + rule.get("action") + ")" : rule.get("action"));
        if (allowIface && perlTrue(rule.get("iface"))) {
            line.append(" -i ").append(rule.get("iface"));
        }
        if (!type.equals("group")) {
            for (String[] option : new String[][] {{"source", "-source"}, {"dest", "-dest"}, {"proto", "-p"},
                    {"dport", "-dport"}, {"sport", "-sport"}, {"log", "-log"}}) {
                if (perlTrue(rule.get(option[0]))) {
                    line.append(' ').append(option[1]).append(' ').append(rule.get(option[0]));
                }
            }
            Object icmpType = rule.get("icmp-type");
            if (icmpType instanceof String s && !s.isEmpty()) {
                line.append(" -icmp-type ").append(s);
            }
        }
        Object comment = rule.get("comment");
        if (perlTrue(comment) && !comment.toString().isBlank()) {
            line.append(" # ").append(comment);
        }
        return line.append('\n').toString();
    }

    private static void writeIpsets(StringBuilder raw, FirewallConfig conf) {
        if (conf.ipsets == null) {
            return;
        }
        for (Map.Entry<String, List<Map<String, Object>>> set : conf.ipsets.entrySet()) {
            String comment = conf.ipsetComments == null ? null : conf.ipsetComments.get(set.getKey());
            raw.append("[IPSET ").append(set.getKey()).append(']');
            raw.append(perlTrue(comment) ? " # " + comment : "").append("\n\n");
            // one line per address, sorted by its text: the first of duplicates wins
            TreeMap<String, Map<String, Object>> byCidr = new TreeMap<>();
            for (Map<String, Object> entry : set.getValue()) {
                byCidr.putIfAbsent((String) entry.get("cidr"), entry);
            }
            for (Map<String, Object> entry : byCidr.values()) {
                raw.append(perlTrue(entry.get("nomatch")) ? "!" : "").append(entry.get("cidr"));
                Object c = entry.get("comment");
                if (perlTrue(c) && !c.toString().isBlank()) {
                    raw.append(" # ").append(c);
                }
                raw.append('\n');
            }
            raw.append('\n');
        }
    }

    // ---------------------------------------------------------------- digests

    /** PVE's copy_opject_with_digest: the options plus the SHA-1 of their sorted {@code key:value} lines. */
    public static Map<String, Object> withDigest(Map<String, Object> object) {
        Map<String, Object> out = new TreeMap<>();
        StringBuilder text = new StringBuilder();
        new TreeMap<>(object == null ? Map.<String, Object>of() : object).forEach((k, v) -> {
            if (v != null) {
                out.put(k, v);
                text.append(k).append(':').append(v).append('\n');
            }
        });
        out.put("digest", sha1(text.toString()));
        return out;
    }

    /** PVE's copy_list_with_digest: entries (without nested values in the digest) and the list's digest. */
    public static String listDigest(List<Map<String, Object>> list) {
        StringBuilder text = new StringBuilder();
        if (list != null) {
            for (Map<String, Object> entry : list) {
                new TreeMap<>(entry).forEach((k, v) -> {
                    if (v != null && !(v instanceof Map) && !(v instanceof List)) {
                        text.append(k).append(':').append(v).append('\n');
                    }
                });
            }
        }
        return sha1(text.toString());
    }

    static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
