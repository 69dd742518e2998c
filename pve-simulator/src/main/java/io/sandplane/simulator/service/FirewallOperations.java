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

    /**
     * Where a firewall endpoint lives: the datacenter ({@code /cluster/firewall}, whose rules are
     * those of security groups) or an LXC or QEMU guest ({@code …/{vmid}/firewall}).
     */
    public record Scope(GuestType guest) {

        public static final Scope CLUSTER = new Scope(null);

        /** The API path the scope's endpoints hang under. */
        public String path() {
            return guest == null ? "/cluster/firewall" : "/nodes/{node}/" + guest.apiName() + "/{vmid}/firewall";
        }
    }

    private FwFile file(Call call, Scope scope) {
        return scope.guest() == null ? clusterFile() : guestFile(call, scope.guest());
    }

    /** A guest's rules, or (in the datacenter) the rules of the security group the call names. */
    private RuleList rulesOf(Call call, Scope scope) {
        return scope.guest() == null ? groupRules(call) : guestRules(call, scope.guest());
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

    /** PVE's reads: the file as it is now, under the lock. */
    private <T> T read(FwFile file, java.util.function.Function<FirewallConfig, T> answer) {
        synchronized (c) {
            return answer.apply(file.load());
        }
    }

    /**
     * PVE's writes: under the lock, the file is read, changed and written back (nothing is written
     * when the change fails); the answer is null, as PVE's.
     */
    private Object change(FwFile file, java.util.function.Consumer<FirewallConfig> edit) {
        synchronized (c) {
            FirewallConfig conf = file.load();
            edit.accept(conf);
            file.save(conf);
            return null;
        }
    }

    // ---------------------------------------------------------------- options

    public Object options(Call call, Scope scope) {
        synchronized (c) {
            if (scope.guest() != null) {
                // a guest's options are proxied to its node (its other firewall calls are not)
                c.node(call.node());
            }
            return FirewallFiles.withDigest(typedOptions(file(call, scope).load().options()));
        }
    }

    public Object setOptions(Call call, Scope scope) {
        return change(file(call, scope), conf -> {
            if (scope.guest() != null) {
                c.node(call.node());
            }
            List<String> known = scope.guest() == null ? CLUSTER_OPTIONS : GUEST_OPTIONS;
            Map<String, String> options = prepareOptions(call, conf, known);
            Map<String, String> params = new LinkedHashMap<>(call.params());
            // the datacenter's enable > 1 is the GUI's first, self-expiring step: stored as the time it was set
            if (scope.guest() == null && params.containsKey("enable")
                    && new BigInteger(params.get("enable")).compareTo(BigInteger.ONE) > 0) {
                params.put("enable", Long.toString(System.currentTimeMillis() / 1000));
            }
            for (String k : known) {
                if (params.containsKey(k)) {
                    options.put(k, params.get(k));
                }
            }
        });
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

    public Object rules(Call call, Scope scope) {
        RuleList list = rulesOf(call, scope);
        return read(list.file(), conf -> {
            List<Map<String, Object>> out = withDigest(list.rules(conf));
            for (int i = 0; i < out.size(); i++) {
                out.get(i).put("pos", i);
            }
            return out;
        });
    }

    public Object rule(Call call, Scope scope) {
        RuleList list = rulesOf(call, scope);
        return read(list.file(), conf -> {
            List<Map<String, Object>> out = withDigest(list.rules(conf));
            long pos = call.longParam("pos", 0);
            if (pos >= out.size()) {
                throw PveException.die("no rule at position " + call.param("pos"));
            }
            Map<String, Object> rule = out.get((int) pos);
            // PVE echoes the path parameter, a string
            rule.put("pos", call.param("pos"));
            return rule;
        });
    }

    public Object createRule(Call call, Scope scope) {
        RuleList list = rulesOf(call, scope);
        return change(list.file(), conf -> {
            List<Map<String, Object>> rules = list.rules(conf);
            Map<String, Object> rule = new LinkedHashMap<>();
            copyRuleData(rule, call.params());
            RuleVerifier.verify(rule, list.file().ipsetNames(conf), list.env(), true);
            if (call.param("enable") == null) {
                // a rule created without enable is written disabled
                rule.put("enable", "0");
            }
            List<Map<String, Object>> updated = rules == null ? new ArrayList<>() : rules;
            // new rules always go first: POST takes 'pos' but does not use it
            updated.add(0, rule);
            list.setRules(conf, updated);
        });
    }

    public Object updateRule(Call call, Scope scope) {
        RuleList list = rulesOf(call, scope);
        return change(list.file(), conf -> {
            List<Map<String, Object>> rules = rulesAt(call, list, conf, 373);
            long pos = call.longParam("pos", 0);
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
                return;
            }
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
            RuleVerifier.verify(rule, list.file().ipsetNames(conf), list.env(), true);
        });
    }

    public Object deleteRule(Call call, Scope scope) {
        RuleList list = rulesOf(call, scope);
        return change(list.file(), conf -> rulesAt(call, list, conf, 462).remove((int) call.longParam("pos", 0)));
    }

    /**
     * The rules a PUT or DELETE of one rule works on, after PVE's checks in its order: the digest,
     * a rule list at all (Perl dies at {@code perlLine} of Rules.pm without one), the position.
     */
    private static List<Map<String, Object>> rulesAt(Call call, RuleList list, FirewallConfig conf, int perlLine) {
        List<Map<String, Object>> rules = list.rules(conf);
        assertUnmodified(FirewallFiles.listDigest(rules), call.param("digest"));
        if (rules == null) {
            throw PveException.die(UNDEFINED_RULES + perlLine + ".");
        }
        if (call.longParam("pos", 0) >= rules.size()) {
            throw PveException.die("no rule at position " + call.param("pos"));
        }
        return rules;
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

    /** A new IP set or security group must have a name not taken (compared as given). */
    private static void checkNew(Map<String, ?> byName, String param, String what, String name) {
        if (byName.containsKey(name)) {
            throw PveException.param(param, what + " '" + name + "' already exists");
        }
    }

    /**
     * PVE's checks before renaming an IP set or a security group ({@code rename} is the old name, the
     * name parameter the new one): the digest of the list, the old name, the new one.
     */
    private static void checkRename(Call call, Map<String, ?> byName, Map<String, String> comments, String param,
                                    String what) {
        String name = call.param(param);
        String rename = call.param("rename");
        assertUnmodified(FirewallFiles.listDigest(nameList(byName, comments, param)), call.param("digest"));
        if (!byName.containsKey(rename)) {
            throw PveException.param(param, what + " '" + rename + "' does not exist");
        }
        if (byName.containsKey(name) && !name.equals(rename)) {
            throw PveException.param(param, what + " '" + name + "' does already exist");
        }
    }

    public Object ipsets(Call call, Scope scope) {
        return read(file(call, scope), conf -> withDigest(nameList(conf.ipsets(), conf.ipsetComments(), "name")));
    }

    public Object createIpset(Call call, Scope scope) {
        return change(file(call, scope), conf -> {
            conf.ensureIpsets();
            String name = call.param("name");
            String rename = call.param("rename");
            if (FirewallFiles.perlTrue(rename)) {
                checkRename(call, conf.ipsets(), conf.ipsetComments(), "name", "IPSet");
                // rules naming the old set are not followed: they fail verification when next read
                conf.ipsets().put(name, conf.ipsets().remove(rename));
                String old = conf.ipsetComments().remove(rename);
                if (FirewallFiles.perlTrue(old)) {
                    conf.ipsetComments().put(name, old);
                }
            } else {
                checkNew(conf.ipsets(), "name", "IPSet", name);
                conf.ipsets().put(name, new ArrayList<>());
            }
            if (call.param("comment") != null) {
                conf.ipsetComments().put(name, call.param("comment"));
            }
        });
    }

    /** The entries of an IP set, or PVE's "no such IPSet". */
    private static List<Map<String, Object>> ipset(FirewallConfig conf, String name) {
        List<Map<String, Object>> set = conf.ipsets() == null ? null : conf.ipsets().get(name);
        if (set == null) {
            throw PveException.die("no such IPSet '" + name + "'");
        }
        return set;
    }

    public Object ipset(Call call, Scope scope) {
        return read(file(call, scope), conf -> withDigest(ipset(conf, call.param("name"))));
    }

    public Object deleteIpset(Call call, Scope scope) {
        return change(file(call, scope), conf -> {
            if (!ipset(conf, call.param("name")).isEmpty() && !call.flag("force")) {
                throw PveException.die("IPSet '" + call.param("name") + "' is not empty");
            }
            // rules that reference it are not checked: they fail verification when next read
            conf.ipsets().remove(call.param("name"));
        });
    }

    public Object addEntry(Call call, Scope scope) {
        return change(file(call, scope), conf -> {
            List<Map<String, Object>> set = ipset(conf, call.param("name"));
            java.util.regex.Matcher alias = SCOPED_ALIAS.matcher(call.param("cidr"));
            if (alias.matches()) {
                // the simulator has no aliases: PVE's resolve_alias dies on an unknown one
                throw PveException.die("no such alias '" + alias.group(2) + "'");
            }
            // normalized like the file parser does, so that duplicates cannot slip through
            String[] normalized = NetIp.ipOrCidr(NetIp.cleanCidr(call.param("cidr")));
            if (normalized == null) {
                throw PveException.die("value does not look like a valid IP address or CIDR network");
            }
            String cidr = normalized[0];
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
        });
    }

    public Object entry(Call call, Scope scope) {
        return read(file(call, scope), conf -> {
            for (Map<String, Object> entry : withDigest(ipset(conf, call.param("name")))) {
                if (call.param("cidr").equals(entry.get("cidr"))) {
                    return entry;
                }
            }
            throw PveException.param("cidr", "no such IP/Network");
        });
    }

    public Object updateEntry(Call call, Scope scope) {
        return change(file(call, scope), conf -> {
            List<Map<String, Object>> set = ipset(conf, call.param("name"));
            assertUnmodified(FirewallFiles.listDigest(set), call.param("digest"));
            Map<String, Object> entry = set.stream().filter(e -> call.param("cidr").equals(e.get("cidr"))).findFirst()
                    .orElseThrow(() -> PveException.param("cidr", "no such IP/Network"));
            // PVE sets both: what is not given is cleared
            putOrRemove(entry, "nomatch", call.param("nomatch"));
            putOrRemove(entry, "comment", call.param("comment"));
        });
    }

    private static <V> void putOrRemove(Map<String, V> map, String key, V value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    public Object removeEntry(Call call, Scope scope) {
        return change(file(call, scope), conf -> {
            List<Map<String, Object>> set = ipset(conf, call.param("name"));
            assertUnmodified(FirewallFiles.listDigest(set), call.param("digest"));
            // removing an address that is not there is no error
            set.removeIf(entry -> call.param("cidr").equals(entry.get("cidr")));
        });
    }

    // ---------------------------------------------------------------- security groups

    public Object groups(Call call) {
        return read(clusterFile(), conf -> withDigest(nameList(conf.groups(), conf.groupComments(), "group")));
    }

    public Object createGroup(Call call) {
        String group = call.param("group");
        String rename = call.param("rename");
        String comment = call.param("comment");
        return change(clusterFile(), conf -> {
            conf.ensureGroups();
            if (!FirewallFiles.perlTrue(rename)) {
                checkNew(conf.groups(), "group", "Security group", group);
                conf.groups().put(group, new ArrayList<>());
            } else {
                checkRename(call, conf.groups(), conf.groupComments(), "group", "Security group");
                if (!rename.equals(group)) {
                    renameGroup(conf, rename, group, comment);
                }
            }
            if (comment != null) {
                conf.groupComments().put(group, comment);
            }
        });
    }

    /**
     * PVE's rename: the group copied under its new name and written first, then every guest's rules
     * (and the cluster's) made to name it, then the old name dropped.
     */
    private void renameGroup(FirewallConfig conf, String from, String to, String comment) {
        conf.groups().put(to, conf.groups().get(from));
        putOrRemove(conf.groupComments(), to, comment != null ? comment : conf.groupComments().get(from));
        c.firewall.saveCluster(conf);
        for (Guest g : c.guests.values()) {
            FirewallConfig guestConf = c.firewall.guest(g.vmid, env(g.type), conf);
            renameGroupRules(guestConf.rules(), from, to);
            c.firewall.saveGuest(g.vmid, guestConf);
        }
        renameGroupRules(conf.rules(), from, to);
        conf.groups().remove(from);
        conf.groupComments().remove(from);
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
        return change(clusterFile(), conf -> {
            if (!groupRules(call).rules(conf).isEmpty()) {
                throw PveException.die("Security group '" + call.param("group") + "' is not empty");
            }
            // guests' rules that name it stay: PVE compiles an unknown group as an empty chain
            conf.groups().remove(call.param("group"));
        });
    }
}
