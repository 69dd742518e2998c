package io.sandplane.provisioner.provider.pve;

import io.sandplane.model.network.Cidr;
import io.sandplane.model.network.NetworkPolicy;
import io.sandplane.provisioner.client.PveTypes;
import io.sandplane.provisioner.config.IsolationSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Judges what PVE holds for one guest against the isolation Sandplane gave it: a pure decision from what was read,
 * unit-tested without PVE ({@link PveLxcProvider#isolation} does the reading). Every problem is one short sentence that
 * says what is wrong where an operator would look for it.
 */
public final class IsolationAudit {

    private IsolationAudit() {
    }

    /**
     * What PVE reported. The firewall parts are null when they were not read ({@code SANDPLANE_FIREWALL=off}).
     *
     * @param datacenter the datacenter's firewall options
     * @param net0       the guest's {@code net0} property string (null: no NIC)
     * @param guest      the guest's firewall options
     * @param rules      the guest's firewall rules, in order
     * @param ipfilter   the entries of the guest's {@code ipfilter-net0} IP set; empty when it has none
     * @param address    the guest's IPv4 address now; null when it has none (stopped)
     */
    public record Observed(PveTypes.FirewallOptions datacenter, String net0, PveTypes.FirewallOptions guest,
            List<PveTypes.FirewallRule> rules, Optional<List<PveTypes.IpSetEntry>> ipfilter, String address) {
    }

    public static List<String> problems(IsolationSettings settings, NetworkPolicy policy, Observed seen) {
        List<String> problems = new ArrayList<>();
        if (settings.enforced()) {
            ClusterFirewall.datacenterProblem(seen.datacenter())
                    .ifPresent(p -> problems.add("the datacenter firewall is off: no guest is filtered"));
            if (!GuestMarks.firewallOn(seen.net0())) {
                problems.add(seen.net0() == null ? "the guest has no NIC net0 behind the firewall"
                        : "the NIC net0 is not behind the firewall (firewall=1 missing): " + seen.net0());
            }
            problems.addAll(optionProblems(FirewallLayout.guestOptions(policy), seen.guest()));
            if (!FirewallLayout.sameRules(FirewallLayout.guestRules(policy), seen.rules())) {
                problems.add("the guest's firewall rules are not the " + FirewallLayout.guestRules(policy).size()
                        + " Sandplane wrote for egress " + policy.egress().id() + " (found " + seen.rules().size() + ")");
            }
            if (seen.address() != null) {
                Optional<Cidr> own = IsolationSettings.cidr(seen.address());
                seen.ipfilter().orElse(List.of()).stream()
                        .filter(entry -> !entry.excluded())
                        .filter(entry -> !IsolationSettings.cidr(entry.cidr()).equals(own))
                        .forEach(entry -> problems.add("the IP set " + FirewallLayout.IPFILTER_NET0 + " lets the guest send"
                                + " from " + entry.cidr() + ", not only from its address " + seen.address()));
            }
        }
        if (seen.address() != null && !settings.ipPool().isEmpty() && !settings.inPool(seen.address())) {
            problems.add("the guest's address " + seen.address() + " is outside the sandbox network ("
                    + IsolationSettings.IP_POOL + " " + IsolationSettings.describe(settings.ipPool()) + ")");
        }
        return List.copyOf(problems);
    }

    /** Each option as Sandplane writes it, an absent one read as PVE's default. */
    private static List<String> optionProblems(Map<String, String> wanted, PveTypes.FirewallOptions options) {
        PveTypes.FirewallOptions o = options != null ? options
                : new PveTypes.FirewallOptions(null, null, null, null, null, null);
        List<String> problems = new ArrayList<>();
        wanted.forEach((name, value) -> {
            String actual = switch (name) {
                case "enable" -> flag(o.enable() == null ? null : o.enable().intValue(), 0);
                case "ipfilter" -> flag(o.ipfilter(), 0);
                case "macfilter" -> flag(o.macfilter(), 1);
                case "policy_in" -> Objects.requireNonNullElse(o.policyIn(), "DROP");
                case "policy_out" -> Objects.requireNonNullElse(o.policyOut(), "ACCEPT");
                default -> throw new IllegalStateException("no check for the firewall option " + name);
            };
            if (!value.equals(actual)) {
                problems.add("the guest's firewall option " + name + " is " + actual + ", not " + value);
            }
        });
        return problems;
    }

    private static String flag(Integer value, int pveDefault) {
        return Integer.toString(value == null ? pveDefault : (value != 0 ? 1 : 0));
    }
}
