package io.sandplane.simulator.firewall;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One firewall config file as PVE holds it after loading: {@code cluster.fw} (options, IP sets,
 * cluster rules, security groups) or a guest's {@code <vmid>.fw} (options, IP sets, rules). Rules
 * and IP set entries are Perl-like hashes (property → value) so that they round-trip through the
 * file format exactly as PVE's do. A member is null when the file did not define it; a file that
 * does not exist has every member null.
 *
 * <p>PVE re-reads these files on every API call and on every compile of the rules; this class is
 * only the parsed form, the text lives in {@link FirewallStore}.
 */
public final class FirewallConfig {

    /** Options, values as the file holds them. */
    Map<String, String> options;
    /** IP sets by name (lower-cased when read back), each a list of entries {cidr, nomatch?, comment?, errors?}. */
    TreeMap<String, List<Map<String, Object>>> ipsets;
    Map<String, String> ipsetComments;
    /** Rules in order: {type, action, enable, macro?, iface?, source?, dest?, proto?, dport?, sport?, log?, icmp-type?, comment?, ipversion?, errors?}. */
    List<Map<String, Object>> rules;
    /** Security groups (cluster.fw only) by lower-cased name, each its rules. */
    TreeMap<String, List<Map<String, Object>>> groups;
    Map<String, String> groupComments;

    public Map<String, String> options() {
        return options;
    }

    public void setOptions(Map<String, String> options) {
        this.options = options;
    }

    public List<Map<String, Object>> rules() {
        return rules;
    }

    public void setRules(List<Map<String, Object>> rules) {
        this.rules = rules;
    }

    public TreeMap<String, List<Map<String, Object>>> ipsets() {
        return ipsets;
    }

    public Map<String, String> ipsetComments() {
        return ipsetComments;
    }

    public TreeMap<String, List<Map<String, Object>>> groups() {
        return groups;
    }

    public Map<String, String> groupComments() {
        return groupComments;
    }

    /** IP sets (and their comments) made present, as Perl's autovivification does on first use. */
    public void ensureIpsets() {
        if (ipsets == null) {
            ipsets = new TreeMap<>();
        }
        if (ipsetComments == null) {
            ipsetComments = new java.util.LinkedHashMap<>();
        }
    }

    public void ensureGroups() {
        if (groups == null) {
            groups = new TreeMap<>();
        }
        if (groupComments == null) {
            groupComments = new java.util.LinkedHashMap<>();
        }
    }

    /** Whether the file exists (a guest's firewall is configured at all). */
    public boolean exists() {
        return options != null || ipsets != null || rules != null || groups != null;
    }

    /** The IP set of a name, or null. */
    List<Map<String, Object>> ipset(String name) {
        return ipsets == null ? null : ipsets.get(name);
    }

    boolean hasIpset(String name) {
        return ipset(name) != null;
    }

    /** Whether the guest's firewall option {@code enable} is on. */
    boolean enabled() {
        return options != null && FirewallFiles.perlTrue(options.get("enable"));
    }
}
