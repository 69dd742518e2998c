package io.sandplane.provisioner.provider.pve;

import io.sandplane.model.network.Cidr;
import io.sandplane.model.network.EgressMode;
import io.sandplane.model.network.EgressRule;
import io.sandplane.model.network.NetworkPolicy;
import io.sandplane.model.network.PrivateRanges;
import io.sandplane.provisioner.client.PveTypes;
import io.sandplane.provisioner.config.IsolationSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sandplane's firewall on PVE, as data: the datacenter's IP sets and security groups every guest shares (so that a
 * change of the router's addresses is one update), and each guest's options and rules for its network policy.
 *
 * <p>Every guest's rules are: the inbound group (TCP from the url-router; execd from provisioners; everything else is
 * refused by {@code policy_in}), the group of its egress mode, and for {@code allow-list} one rule per destination. The
 * egress group comes first, so no allow-list entry can reach the control plane. Denials are REJECT, not DROP: the one
 * told is the sandbox itself (or, inbound, a neighbour on the sandbox network), which learns nothing it could not probe
 * anyway, and a refused connection fails at once instead of after a client's minute-long connect timeout — for the
 * url-router, a guest port that is not allowed answers 502 immediately rather than tying up the proxy.
 */
public final class FirewallLayout {

    /** PVE reads IP set and security group names back lower-cased: every name here is lower-case already. */
    public static final String ROUTERS = "sandplane-routers";
    public static final String PROVISIONERS = "sandplane-provisioners";
    public static final String CONTROL_PLANE = "sandplane-control-plane";
    public static final String PRIVATE = "sandplane-private";
    public static final String EGRESS_ALLOWED = "sandplane-egress-allowed";

    /** Security group names have at most 18 characters. */
    public static final String INBOUND = "sandplane-in";
    public static final String EGRESS_OPEN = "sandplane-open";
    public static final String EGRESS_PUBLIC = "sandplane-public";
    public static final String EGRESS_LISTED = "sandplane-listed";

    /** The guest IP set PVE's {@code ipfilter} takes a NIC's allowed source addresses from. */
    public static final String IPFILTER_NET0 = "ipfilter-net0";
    public static final int EXECD_PORT = 39375;
    private static final String MANAGED = "Sandplane (managed: changes are overwritten): ";

    /** Options a template's firewall may carry that Sandplane resets to PVE's defaults (e.g. {@code dhcp: 0} breaks leases). */
    public static final List<String> RESET_OPTIONS = List.of("dhcp", "ndp", "radv", "log_level_in", "log_level_out");

    private FirewallLayout() {
    }

    /** A datacenter IP set: its entries are exactly {@code entries}, none excluded ({@code nomatch}). */
    public record IpSetSpec(String name, String comment, List<Cidr> entries) {
        public IpSetSpec {
            entries = List.copyOf(entries);
        }
    }

    /** A security group: its rules are exactly {@code rules}, in order. */
    public record GroupSpec(String name, String comment, List<RuleSpec> rules) {
        public GroupSpec {
            rules = List.copyOf(rules);
        }
    }

    /**
     * A firewall rule as Sandplane writes it (always enabled). {@code source} and {@code dest} are an IP set reference
     * or a network; {@code proto} null for every protocol; {@code dport} in PVE's spelling.
     */
    public record RuleSpec(String type, String action, String source, String dest, String proto, String dport,
            String comment) {

        /** The form PVE's POST takes; {@code enable} must be given or PVE writes the rule disabled. */
        public Map<String, String> form() {
            Map<String, String> form = new LinkedHashMap<>();
            form.put("type", type);
            form.put("action", action);
            form.put("enable", "1");
            putIfSet(form, "source", source);
            putIfSet(form, "dest", dest);
            putIfSet(form, "proto", proto);
            putIfSet(form, "dport", dport);
            putIfSet(form, "comment", comment);
            return form;
        }

        /**
         * Whether PVE's rule does what this one does: same type, action, addresses, protocol and ports, enabled and
         * without errors, and nothing else that narrows or widens it (a macro, a source port, an interface, an ICMP
         * type). Comments and logging do not count.
         */
        public boolean matches(PveTypes.FirewallRule rule) {
            return rule.inEffect() && type.equals(rule.type()) && action.equals(rule.action())
                    && sameAddress(source, rule.source()) && sameAddress(dest, rule.dest())
                    && Objects.equals(proto, blankToNull(rule.proto())) && Objects.equals(dport, blankToNull(rule.dport()))
                    && blankToNull(rule.sport()) == null && blankToNull(rule.macro()) == null
                    && blankToNull(rule.iface()) == null && blankToNull(rule.icmpType()) == null;
        }

        private static void putIfSet(Map<String, String> form, String key, String value) {
            if (value != null) {
                form.put(key, value);
            }
        }
    }

    /** Whether PVE's rules are exactly {@code wanted}, in order. */
    public static boolean sameRules(List<RuleSpec> wanted, List<PveTypes.FirewallRule> actual) {
        if (wanted.size() != actual.size()) {
            return false;
        }
        for (int i = 0; i < wanted.size(); i++) {
            if (!wanted.get(i).matches(actual.get(i))) {
                return false;
            }
        }
        return true;
    }

    // ---- the datacenter -------------------------------------------------------------------------

    public static List<IpSetSpec> ipSets(IsolationSettings settings) {
        return List.of(
                new IpSetSpec(ROUTERS, MANAGED + "url-router source addresses (" + IsolationSettings.ROUTERS + ")",
                        settings.routers()),
                new IpSetSpec(PROVISIONERS, MANAGED + "provisioner source addresses (" + IsolationSettings.PROVISIONERS
                        + ")", settings.provisioners()),
                new IpSetSpec(CONTROL_PLANE, MANAGED + "never reachable from a sandbox (" + IsolationSettings.CONTROL_PLANE
                        + ")", settings.controlPlane()),
                new IpSetSpec(PRIVATE, MANAGED + "private, loopback, link-local, metadata and reserved ranges",
                        PrivateRanges.ALL),
                new IpSetSpec(EGRESS_ALLOWED, MANAGED + "reachable from every sandbox (" + IsolationSettings.EGRESS_ALLOWED
                        + ")", settings.egressAllowed()));
    }

    public static List<GroupSpec> groups() {
        RuleSpec acceptAllowed = new RuleSpec("out", "ACCEPT", null, ref(EGRESS_ALLOWED), null, null,
                "the operator's exceptions");
        RuleSpec rejectControlPlane = new RuleSpec("out", "REJECT", null, ref(CONTROL_PLANE), null, null,
                "never the control plane");
        return List.of(
                new GroupSpec(INBOUND, MANAGED + "inbound: the url-router, and provisioners to execd", List.of(
                        new RuleSpec("in", "ACCEPT", ref(ROUTERS), null, "tcp", null, "the url-router"),
                        new RuleSpec("in", "ACCEPT", ref(PROVISIONERS), null, "tcp", Integer.toString(EXECD_PORT),
                                "provisioners to execd"))),
                // The operator's exceptions come first in every mode, so that one exception (a resolver inside the
                // control plane's network, say) means the same whatever a sandbox's egress.
                new GroupSpec(EGRESS_OPEN, MANAGED + "egress open: anywhere but the control plane",
                        List.of(acceptAllowed, rejectControlPlane)),
                new GroupSpec(EGRESS_PUBLIC, MANAGED + "egress deny-private: the internet, nothing private",
                        List.of(acceptAllowed, rejectControlPlane,
                                new RuleSpec("out", "REJECT", null, ref(PRIVATE), null, null, "nothing private"))),
                new GroupSpec(EGRESS_LISTED, MANAGED + "egress allow-list: the exceptions; the guest's rules list the rest",
                        List.of(acceptAllowed, rejectControlPlane)));
    }

    // ---- a guest ---------------------------------------------------------------------------------

    /**
     * The guest's options: filtered ({@code enable}), sending only from its own addresses and MAC ({@code ipfilter},
     * {@code macfilter}), refusing what its rules do not accept inbound, and outbound by its egress mode.
     */
    public static Map<String, String> guestOptions(NetworkPolicy policy) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("enable", "1");
        options.put("ipfilter", "1");
        options.put("macfilter", "1");
        options.put("policy_in", "REJECT");
        options.put("policy_out", policy.egress() == EgressMode.ALLOW_LIST ? "REJECT" : "ACCEPT");
        return options;
    }

    /** The guest's rules, in the order PVE must hold them. */
    public static List<RuleSpec> guestRules(NetworkPolicy policy) {
        List<RuleSpec> rules = new ArrayList<>();
        rules.add(group(INBOUND));
        rules.add(group(egressGroup(policy.egress())));
        List<EgressRule> allow = policy.allow();
        for (int i = 0; i < allow.size(); i++) {
            EgressRule entry = allow.get(i);
            rules.add(new RuleSpec("out", "ACCEPT", null, entry.cidr().toString(),
                    entry.protocol().hasPorts() ? entry.protocol().id() : null,
                    entry.allPorts() ? null : entry.ports().pveSpelling(), "allow-list entry " + (i + 1)));
        }
        return List.copyOf(rules);
    }

    public static String egressGroup(EgressMode mode) {
        return switch (mode) {
            case OPEN -> EGRESS_OPEN;
            case DENY_PRIVATE -> EGRESS_PUBLIC;
            case ALLOW_LIST -> EGRESS_LISTED;
        };
    }

    public static RuleSpec group(String name) {
        return new RuleSpec("group", name, null, null, null, null, null);
    }

    /**
     * A datacenter IP set by its scope: {@code +dc/} never resolves to a guest's own set of the same name. (Sent in a
     * form, the {@code +} is percent-encoded by the client; a raw one would read as a space.)
     */
    static String ref(String ipSet) {
        return "+dc/" + ipSet;
    }

    /** Addresses are compared by what they mean ({@code 10.0.0.1} is {@code 10.0.0.1/32}); references by their text. */
    private static boolean sameAddress(String wanted, String actual) {
        String a = blankToNull(actual);
        if (wanted == null || a == null) {
            return wanted == null && a == null;
        }
        return wanted.equals(a) || IsolationSettings.cidr(a).map(Cidr::toString).map(wanted::equals).orElse(false);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
