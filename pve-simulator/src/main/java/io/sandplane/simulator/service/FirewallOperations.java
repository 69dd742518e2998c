package io.sandplane.simulator.service;

import io.sandplane.simulator.firewall.FirewallConfig;
import io.sandplane.simulator.firewall.FirewallFiles;
import io.sandplane.simulator.firewall.FirewallFormats;
import io.sandplane.simulator.firewall.FirewallStore;
import io.sandplane.simulator.firewall.NetIp;
import io.sandplane.simulator.firewall.RuleVerifier;
import io.sandplane.simulator.schema.ParameterValidator;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * PVE's firewall endpoints (pve-firewall's API2/Firewall/*.pm): cluster options, IP sets and
 * security groups, and per guest (LXC and QEMU) options, rules and IP sets. All synchronous, as in
 * PVE: each call reads the config file, changes it and writes it back under the cluster lock; the
 * guest's inbound policy follows at once (see docs/pve-simulator.md on the daemon's delay).
 */
@ApplicationScoped
public class FirewallOperations {

    /** Options a guest's firewall takes (PVE's $vm_option_properties). */
    private static final List<String> GUEST_OPTIONS = List.of("enable", "macfilter", "dhcp", "ndp", "radv", "ipfilter",
            "policy_in", "policy_out", "log_level_in", "log_level_out");
    /** Options of the datacenter firewall (PVE's $cluster_option_properties). */
    private static final List<String> CLUSTER_OPTIONS = List.of("enable", "ebtables", "policy_in", "policy_out",
            "policy_forward", "log_ratelimit");
    /** Option values PVE reads back as numbers. */
    private static final Set<String> NUMERIC_OPTIONS = Set.of("enable", "dhcp", "ndp", "radv", "macfilter", "ipfilter",
            "ips", "ebtables");
    private static final String MODIFIED = "detected modified configuration - file changed by other user? Try again.";
    /** Where PVE's update_rule and delete_rule die on a guest that has no firewall file (Perl's own error). */
    private static final String UNDEFINED_RULES = "Can't use an undefined value as an ARRAY reference at "
            + "/usr/share/perl5/PVE/API2/Firewall/Rules.pm line ";

    private static final java.util.regex.Pattern SCOPED_ALIAS =
            java.util.regex.Pattern.compile("^(dc/|guest/)?(" + FirewallFormats.NAME_PATTERN + ")$");

    private final Cluster c;

    public FirewallOperations(Cluster cluster) {
        this.c = cluster;
    }

    // ---------------------------------------------------------------- the files an endpoint works on

    /** One firewall file as an endpoint sees it: how to read and write it, and what its rules may reference. */
    private interface FwFile {
        FirewallConfig load();

        void save(FirewallConfig conf);

        /** The IP set names a rule of this file may reference, given the file as loaded. */
        Set<String> ipsetNames(FirewallConfig conf);
    }

    private FwFile clusterFile() {
        FirewallStore fw = c.firewall;
        return new FwFile() {
            @Override
            public FirewallConfig load() {
                return fw.cluster();
            }

            @Override
            public void save(FirewallConfig conf) {
                fw.saveCluster(conf);
            }

            @Override
            public Set<String> ipsetNames(FirewallConfig conf) {
                return FirewallFiles.ipsetNames(conf, null);
            }
        };
    }

    private FwFile guestFile(Call call, GuestType type) {
        FirewallStore fw = c.firewall;
        int vmid = call.vmid();
        RuleVerifier.Env env = env(type);
        return new FwFile() {
            @Override
            public FirewallConfig load() {
                return fw.guest(vmid, env, fw.cluster());
            }

            @Override
            public void save(FirewallConfig conf) {
                fw.saveGuest(vmid, conf);
            }

            @Override
            public Set<String> ipsetNames(FirewallConfig conf) {
                return FirewallFiles.ipsetNames(fw.cluster(), conf);
            }
        };
    }

    static RuleVerifier.Env env(GuestType type) {
        return type == GuestType.LXC ? RuleVerifier.Env.CT : RuleVerifier.Env.VM;
    }

    /** A list of rules: a guest's, or a security group's. */
    private record RuleList(FwFile file, RuleVerifier.Env env, String group) {

        List<Map<String, Object>> rules(FirewallConfig conf) {
            if (group == null) {
                return conf.rules();
            }
            List<Map<String, Object>> rules = conf.groups() == null ? null : conf.groups().get(group);
            if (rules == null) {
                throw PveException.die("no such security group '" + group + "'");
            }
            return rules;
        }

        void setRules(FirewallConfig conf, List<Map<String, Object>> rules) {
            if (group == null) {
                conf.setRules(rules);
            } else {
                conf.groups().put(group, rules);
            }
        }
    }

    private RuleList guestRules(Call call, GuestType type) {
        return new RuleList(guestFile(call, type), env(type), null);
    }

    private RuleList groupRules(Call call) {
        return new RuleList(clusterFile(), RuleVerifier.Env.GROUP, call.param("group"));
    }

    // ---------------------------------------------------------------- options

    public Object clusterOptions(Call call) {
        synchronized (c) {
            return FirewallFiles.withDigest(typedOptions(clusterFile().load().options()));
        }
    }

    public Object setClusterOptions(Call call) {
        synchronized (c) {
            FwFile file = clusterFile();
            FirewallConfig conf = file.load();
            Map<String, String> options = prepareOptions(call, conf, CLUSTER_OPTIONS);
            Map<String, String> params = new LinkedHashMap<>(call.params());
            // enable > 1 is the GUI's first, self-expiring step: stored as the time it was set
            if (params.containsKey("enable") && new BigInteger(params.get("enable")).compareTo(BigInteger.ONE) > 0) {
                params.put("enable", Long.toString(System.currentTimeMillis() / 1000));
            }
            for (String k : CLUSTER_OPTIONS) {
                if (params.containsKey(k)) {
                    options.put(k, params.get(k));
                }
            }
            file.save(conf);
            return null;
        }
    }

    public Object guestOptions(Call call, GuestType type) {
        synchronized (c) {
            // options are proxied to the node (the other firewall calls are not)
            c.node(call.node());
            return FirewallFiles.withDigest(typedOptions(guestFile(call, type).load().options()));
        }
    }

    public Object setGuestOptions(Call call, GuestType type) {
        synchronized (c) {
            c.node(call.node());
            FwFile file = guestFile(call, type);
            FirewallConfig conf = file.load();
            Map<String, String> options = prepareOptions(call, conf, GUEST_OPTIONS);
            for (String k : GUEST_OPTIONS) {
                if (call.param(k) != null) {
                    options.put(k, call.param(k));
                }
            }
            file.save(conf);
            return null;
        }
    }

    /** The digest check and the deletions PVE does before setting options; the options to set into. */
    private static Map<String, String> prepareOptions(Call call, FirewallConfig conf, List<String> known) {
        assertUnmodified(FirewallFiles.withDigest(new LinkedHashMap<>(conf.options() == null ? Map.of() : conf.options()))
                .get("digest").toString(), call.param("digest"));
        Map<String, String> options = conf.options() == null ? new LinkedHashMap<>() : conf.options();
        conf.setOptions(options);
        if (call.param("delete") != null) {
            for (String opt : ParameterValidator.splitList(call.param("delete"))) {
                if (!known.contains(opt)) {
                    throw PveException.param("delete", "no such option '" + opt + "'");
                }
                options.remove(opt);
            }
        }
        return options;
    }

    private static Map<String, Object> typedOptions(Map<String, String> options) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (options != null) {
            options.forEach((k, v) -> out.put(k, NUMERIC_OPTIONS.contains(k) && v.matches("\\d{1,18}") ? (Object) Long.parseLong(v) : v));
        }
        return out;
    }

    /** PVE's assert_if_modified. */
    private static void assertUnmodified(String actual, String given) {
        if (FirewallFiles.perlTrue(given) && !given.equals(actual)) {
            throw PveException.die(MODIFIED);
        }
    }

    // ---------------------------------------------------------------- rules

    public Object guestRuleList(Call call, GuestType type) {
        return ruleList(guestRules(call, type));
    }

    public Object guestRule(Call call, GuestType type) {
        return rule(call, guestRules(call, type));
    }

    public Object createGuestRule(Call call, GuestType type) {
        return createRule(call, guestRules(call, type));
    }

    public Object updateGuestRule(Call call, GuestType type) {
        return updateRule(call, guestRules(call, type));
    }

    public Object deleteGuestRule(Call call, GuestType type) {
        return deleteRule(call, guestRules(call, type));
    }

    public Object groupRuleList(Call call) {
        return ruleList(groupRules(call));
    }

    public Object groupRule(Call call) {
        return rule(call, groupRules(call));
    }

    public Object createGroupRule(Call call) {
        return createRule(call, groupRules(call));
    }

    public Object updateGroupRule(Call call) {
        return updateRule(call, groupRules(call));
    }

    public Object deleteGroupRule(Call call) {
        return deleteRule(call, groupRules(call));
    }

    private Object ruleList(RuleList list) {
        synchronized (c) {
            List<Map<String, Object>> rules = list.rules(list.file().load());
            List<Map<String, Object>> out = withDigest(rules);
            for (int i = 0; i < out.size(); i++) {
                out.get(i).put("pos", i);
            }
            return out;
        }
    }

    private Object rule(Call call, RuleList list) {
        synchronized (c) {
            List<Map<String, Object>> out = withDigest(list.rules(list.file().load()));
            long pos = call.longParam("pos", 0);
            if (pos >= out.size()) {
                throw PveException.die("no rule at position " + call.param("pos"));
            }
            Map<String, Object> rule = out.get((int) pos);
            // PVE echoes the path parameter, a string
            rule.put("pos", call.param("pos"));
            return rule;
        }
    }

    private Object createRule(Call call, RuleList list) {
        synchronized (c) {
            FwFile file = list.file();
            FirewallConfig conf = file.load();
            List<Map<String, Object>> rules = list.rules(conf);
            Map<String, Object> rule = new LinkedHashMap<>();
            copyRuleData(rule, call.params());
            RuleVerifier.verify(rule, file.ipsetNames(conf), list.env(), true);
            if (call.param("enable") == null) {
                // a rule created without enable is written disabled
                rule.put("enable", "0");
            }
            List<Map<String, Object>> updated = rules == null ? new ArrayList<>() : rules;
            // new rules always go first: POST takes 'pos' but does not use it
            updated.add(0, rule);
            list.setRules(conf, updated);
            file.save(conf);
            return null;
        }
    }

    private Object updateRule(Call call, RuleList list) {
        synchronized (c) {
            FwFile file = list.file();
            FirewallConfig conf = file.load();
            List<Map<String, Object>> rules = list.rules(conf);
            assertUnmodified(FirewallFiles.listDigest(rules), call.param("digest"));
            if (rules == null) {
                throw PveException.die(UNDEFINED_RULES + "373.");
            }
            long pos = call.longParam("pos", 0);
            if (pos >= rules.size()) {
                throw PveException.die("no rule at position " + call.param("pos"));
            }
            Map<String, Object> rule = rules.get((int) pos);
            String movetoText = call.param("moveto");
            long moveto = movetoText == null ? -1 : call.longParam("moveto", 0);
            if (movetoText != null && moveto != pos) {
                // PVE's move: the rule goes before the one now at 'moveto' (after the last when beyond)
                List<Map<String, Object>> moved = new ArrayList<>();
                for (int i = 0; i < rules.size(); i++) {
                    if (i == pos) {
                        continue;
                    }
                    if (i == moveto) {
                        moved.add(rule);
                    }
                    moved.add(rules.get(i));
                }
                if (moveto >= rules.size()) {
                    moved.add(rule);
                }
                list.setRules(conf, moved);
            } else {
                copyRuleData(rule, call.params());
                if (call.param("delete") != null) {
                    for (String opt : ParameterValidator.splitList(call.param("delete"))) {
                        if (!RuleVerifier.PROPERTIES.contains(opt)) {
                            throw PveException.param("delete", "no such property ('" + opt + "')");
                        }
                        if (opt.equals("type") || opt.equals("action")) {
                            throw PveException.param("delete", "unable to delete required property '" + opt + "'");
                        }
                        rule.remove(opt);
                    }
                }
                rule.remove("errors");
                RuleVerifier.verify(rule, file.ipsetNames(conf), list.env(), true);
            }
            file.save(conf);
            return null;
        }
    }

    private Object deleteRule(Call call, RuleList list) {
        synchronized (c) {
            FwFile file = list.file();
            FirewallConfig conf = file.load();
            List<Map<String, Object>> rules = list.rules(conf);
            assertUnmodified(FirewallFiles.listDigest(rules), call.param("digest"));
            if (rules == null) {
                throw PveException.die(UNDEFINED_RULES + "462.");
            }
            long pos = call.longParam("pos", 0);
            if (pos >= rules.size()) {
                throw PveException.die("no rule at position " + call.param("pos"));
            }
            rules.remove((int) pos);
            file.save(conf);
            return null;
        }
    }

    /** PVE's copy_rule_data: every rule property given; an empty value or "-" removes it. */
    private static void copyRuleData(Map<String, Object> rule, Map<String, String> params) {
        for (String k : RuleVerifier.PROPERTIES) {
            String v = params.get(k);
            if (v == null) {
                continue;
            }
            if (v.isEmpty() || v.equals("-")) {
                rule.remove(k);
            } else {
                rule.put(k, v);
            }
        }
    }

    /**
     * PVE's copy_list_with_digest with the values as PVE's JSON has them: enable, ipversion and
     * nomatch are numbers, the rest strings.
     */
    private static List<Map<String, Object>> withDigest(List<Map<String, Object>> list) {
        String digest = FirewallFiles.listDigest(list);
        List<Map<String, Object>> out = new ArrayList<>();
        if (list != null) {
            for (Map<String, Object> entry : list) {
                Map<String, Object> copy = new TreeMap<>();
                entry.forEach((k, v) -> {
                    if (v != null) {
                        copy.put(k, Set.of("enable", "ipversion", "nomatch").contains(k) && v instanceof String s
                                && s.matches("\\d{1,9}") ? (Object) Integer.parseInt(s) : v);
                    }
                });
                copy.put("digest", digest);
                out.add(copy);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- IP sets

    public Object clusterIpsets(Call call) {
        return ipsetIndex(clusterFile());
    }

    public Object createClusterIpset(Call call) {
        return createIpset(call, clusterFile());
    }

    public Object clusterIpset(Call call) {
        return ipsetContent(call, clusterFile());
    }

    public Object addClusterIpsetEntry(Call call) {
        return addEntry(call, clusterFile());
    }

    public Object deleteClusterIpset(Call call) {
        return deleteIpset(call, clusterFile());
    }

    public Object clusterIpsetEntry(Call call) {
        return readEntry(call, clusterFile());
    }

    public Object updateClusterIpsetEntry(Call call) {
        return updateEntry(call, clusterFile());
    }

    public Object deleteClusterIpsetEntry(Call call) {
        return removeEntry(call, clusterFile());
    }

    public Object guestIpsets(Call call, GuestType type) {
        return ipsetIndex(guestFile(call, type));
    }

    public Object createGuestIpset(Call call, GuestType type) {
        return createIpset(call, guestFile(call, type));
    }

    public Object guestIpset(Call call, GuestType type) {
        return ipsetContent(call, guestFile(call, type));
    }

    public Object addGuestIpsetEntry(Call call, GuestType type) {
        return addEntry(call, guestFile(call, type));
    }

    public Object deleteGuestIpset(Call call, GuestType type) {
        return deleteIpset(call, guestFile(call, type));
    }

    public Object guestIpsetEntry(Call call, GuestType type) {
        return readEntry(call, guestFile(call, type));
    }

    public Object updateGuestIpsetEntry(Call call, GuestType type) {
        return updateEntry(call, guestFile(call, type));
    }

    public Object deleteGuestIpsetEntry(Call call, GuestType type) {
        return removeEntry(call, guestFile(call, type));
    }

    /** The {name, comment} list of IP sets or security groups, sorted by name. */
    private static List<Map<String, Object>> nameList(Map<String, ?> byName, Map<String, String> comments, String key) {
        List<Map<String, Object>> list = new ArrayList<>();
        if (byName != null) {
            for (String name : new TreeMap<>(byName).keySet()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put(key, name);
                if (comments != null && FirewallFiles.perlTrue(comments.get(name))) {
                    m.put("comment", comments.get(name));
                }
                list.add(m);
            }
        }
        return list;
    }

    private Object ipsetIndex(FwFile file) {
        synchronized (c) {
            FirewallConfig conf = file.load();
            return withDigest(nameList(conf.ipsets(), conf.ipsetComments(), "name"));
        }
    }

    private Object createIpset(Call call, FwFile file) {
        synchronized (c) {
            FirewallConfig conf = file.load();
            conf.ensureIpsets();
            String name = call.param("name");
            String rename = call.param("rename");
            String comment = call.param("comment");
            if (FirewallFiles.perlTrue(rename)) {
                assertUnmodified(FirewallFiles.listDigest(nameList(conf.ipsets(), conf.ipsetComments(), "name")),
                        call.param("digest"));
                if (!conf.ipsets().containsKey(rename)) {
                    throw PveException.param("name", "IPSet '" + rename + "' does not exist");
                }
                if (conf.ipsets().containsKey(name) && !name.equals(rename)) {
                    throw PveException.param("name", "IPSet '" + name + "' does already exist");
                }
                conf.ipsets().put(name, conf.ipsets().remove(rename));
                String old = conf.ipsetComments().remove(rename);
                if (FirewallFiles.perlTrue(old)) {
                    conf.ipsetComments().put(name, old);
                }
            } else {
                if (conf.ipsets().containsKey(name)) {
                    throw PveException.param("name", "IPSet '" + name + "' already exists");
                }
                conf.ipsets().put(name, new ArrayList<>());
            }
            if (comment != null) {
                conf.ipsetComments().put(name, comment);
            }
            file.save(conf);
            return null;
        }
    }

    /** The entries of an IP set, or PVE's "no such IPSet". */
    private static List<Map<String, Object>> ipset(FirewallConfig conf, String name) {
        List<Map<String, Object>> set = conf.ipsets() == null ? null : conf.ipsets().get(name);
        if (set == null) {
            throw PveException.die("no such IPSet '" + name + "'");
        }
        return set;
    }

    private Object ipsetContent(Call call, FwFile file) {
        synchronized (c) {
            return withDigest(ipset(file.load(), call.param("name")));
        }
    }

    private Object deleteIpset(Call call, FwFile file) {
        synchronized (c) {
            FirewallConfig conf = file.load();
            List<Map<String, Object>> set = ipset(conf, call.param("name"));
            if (!set.isEmpty() && !call.flag("force")) {
                throw PveException.die("IPSet '" + call.param("name") + "' is not empty");
            }
            // rules that reference it are not checked: they fail verification when next read
            conf.ipsets().remove(call.param("name"));
            file.save(conf);
            return null;
        }
    }

    private Object addEntry(Call call, FwFile file) {
        synchronized (c) {
            FirewallConfig conf = file.load();
            List<Map<String, Object>> set = ipset(conf, call.param("name"));
            String cidr = call.param("cidr");
            java.util.regex.Matcher alias = SCOPED_ALIAS.matcher(cidr);
            if (alias.matches()) {
                // the simulator has no aliases: PVE's resolve_alias dies on an unknown one
                throw PveException.die("no such alias '" + alias.group(2) + "'");
            }
            // normalized like the file parser does, so that duplicates cannot slip through
            String[] normalized = NetIp.ipOrCidr(NetIp.cleanCidr(cidr));
            if (normalized == null) {
                throw PveException.die("value does not look like a valid IP address or CIDR network");
            }
            cidr = normalized[0];
            for (Map<String, Object> entry : set) {
                if (cidr.equals(entry.get("cidr"))) {
                    throw PveException.param("cidr", "address '" + cidr + "' already exists");
                }
            }
            if (cidr.matches(".*/0+$")) {
                throw PveException.param("cidr", "a zero prefix is not allowed in ipset entries");
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("cidr", cidr);
            if (call.flag("nomatch")) {
                entry.put("nomatch", "1");
            }
            if (FirewallFiles.perlTrue(call.param("comment"))) {
                entry.put("comment", call.param("comment"));
            }
            set.add(0, entry);
            file.save(conf);
            return null;
        }
    }

    private Object readEntry(Call call, FwFile file) {
        synchronized (c) {
            for (Map<String, Object> entry : withDigest(ipset(file.load(), call.param("name")))) {
                if (call.param("cidr").equals(entry.get("cidr"))) {
                    return entry;
                }
            }
            throw PveException.param("cidr", "no such IP/Network");
        }
    }

    private Object updateEntry(Call call, FwFile file) {
        synchronized (c) {
            FirewallConfig conf = file.load();
            List<Map<String, Object>> set = ipset(conf, call.param("name"));
            assertUnmodified(FirewallFiles.listDigest(set), call.param("digest"));
            for (Map<String, Object> entry : set) {
                if (call.param("cidr").equals(entry.get("cidr"))) {
                    // PVE sets both: what is not given is cleared
                    putOrRemove(entry, "nomatch", call.param("nomatch"));
                    putOrRemove(entry, "comment", call.param("comment"));
                    file.save(conf);
                    return null;
                }
            }
            throw PveException.param("cidr", "no such IP/Network");
        }
    }

    private static <V> void putOrRemove(Map<String, V> map, String key, V value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    private Object removeEntry(Call call, FwFile file) {
        synchronized (c) {
            FirewallConfig conf = file.load();
            List<Map<String, Object>> set = ipset(conf, call.param("name"));
            assertUnmodified(FirewallFiles.listDigest(set), call.param("digest"));
            // removing an address that is not there is no error
            set.removeIf(entry -> call.param("cidr").equals(entry.get("cidr")));
            file.save(conf);
            return null;
        }
    }

    // ---------------------------------------------------------------- security groups

    public Object groups(Call call) {
        synchronized (c) {
            FirewallConfig conf = clusterFile().load();
            return withDigest(nameList(conf.groups(), conf.groupComments(), "group"));
        }
    }

    public Object createGroup(Call call) {
        synchronized (c) {
            FwFile file = clusterFile();
            FirewallConfig conf = file.load();
            conf.ensureGroups();
            String group = call.param("group");
            String rename = call.param("rename");
            String comment = call.param("comment");
            if (!FirewallFiles.perlTrue(rename)) {
                if (conf.groups().containsKey(group)) {
                    throw PveException.param("group", "Security group '" + group + "' already exists");
                }
                conf.groups().put(group, new ArrayList<>());
                if (comment != null) {
                    conf.groupComments().put(group, comment);
                }
                file.save(conf);
                return null;
            }
            assertUnmodified(FirewallFiles.listDigest(nameList(conf.groups(), conf.groupComments(), "group")),
                    call.param("digest"));
            if (!conf.groups().containsKey(rename)) {
                throw PveException.param("group", "Security group '" + rename + "' does not exist");
            }
            if (conf.groups().containsKey(group) && !group.equals(rename)) {
                throw PveException.param("group", "Security group '" + group + "' does already exist");
            }
            if (rename.equals(group)) {
                if (comment != null) {
                    conf.groupComments().put(group, comment);
                }
                file.save(conf);
                return null;
            }
            // a copy first, then every guest's rules follow the new name, then the old group goes
            conf.groups().put(group, conf.groups().get(rename));
            putOrRemove(conf.groupComments(), group, conf.groupComments().get(rename));
            if (comment != null) {
                conf.groupComments().put(group, comment);
            }
            file.save(conf);
            for (Guest g : c.guests.values()) {
                FirewallConfig guestConf = c.firewall.guest(g.vmid, env(g.type), conf);
                renameGroupRules(guestConf.rules(), rename, group);
                c.firewall.saveGuest(g.vmid, guestConf);
            }
            renameGroupRules(conf.rules(), rename, group);
            conf.groups().remove(rename);
            conf.groupComments().remove(rename);
            file.save(conf);
            return null;
        }
    }

    private static void renameGroupRules(List<Map<String, Object>> rules, String from, String to) {
        if (rules != null) {
            for (Map<String, Object> rule : rules) {
                if ("group".equals(rule.get("type")) && from.equals(rule.get("action"))) {
                    rule.put("action", to);
                }
            }
        }
    }

    public Object deleteGroup(Call call) {
        synchronized (c) {
            FwFile file = clusterFile();
            FirewallConfig conf = file.load();
            RuleList list = groupRules(call);
            if (!list.rules(conf).isEmpty()) {
                throw PveException.die("Security group '" + call.param("group") + "' is not empty");
            }
            // guests' rules that name it stay: PVE compiles an unknown group as an empty chain
            conf.groups().remove(call.param("group"));
            file.save(conf);
            return null;
        }
    }
}
