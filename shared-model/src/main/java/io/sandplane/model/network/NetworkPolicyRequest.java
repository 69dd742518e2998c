package io.sandplane.model.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * A network policy as a client sends it (a start's {@code network}, a team's {@code default}): text, checked by
 * {@link #check} into a {@link NetworkPolicy} so that every bad value is reported with its path.
 *
 * <p>{@code egress} is required; {@code allow} goes with {@code allow-list} only and is required there, so that
 * a forgotten list is not read as "nothing outbound" ({@code "allow": []} says that).
 */
public record NetworkPolicyRequest(String egress, List<EgressRuleRequest> allow) {

    /**
     * @param field  where the policy is in the request ({@code network}, {@code default}), the prefix of every error
     * @param errors receives (field, message) for each problem
     * @return the policy, or empty when anything was reported
     */
    public Optional<NetworkPolicy> check(String field, BiConsumer<String, String> errors) {
        FieldErrors report = new FieldErrors(errors);
        EgressMode mode = null;
        if (egress == null) {
            report.add(field + ".egress", "egress is required: open, deny-private or allow-list");
        } else {
            mode = report.parse(() -> EgressMode.fromId(field + ".egress", egress));
        }
        if (mode != null && mode != EgressMode.ALLOW_LIST && allow != null) {
            report.add(field + ".allow", "allow goes with egress allow-list only; " + mode.id() + " takes no list");
        }
        if (mode == EgressMode.ALLOW_LIST && allow == null) {
            report.add(field + ".allow", "egress allow-list needs allow, the destinations it may reach"
                    + " (\"allow\": [] for no outbound traffic at all)");
        }
        List<EgressRule> rules = new ArrayList<>();
        if (allow != null && allow.size() > NetworkPolicy.MAX_ALLOW_RULES) {
            report.add(field + ".allow", "at most " + NetworkPolicy.MAX_ALLOW_RULES + " entries are allowed, got "
                    + allow.size());
        } else if (allow != null) {
            for (int i = 0; i < allow.size(); i++) {
                String entry = field + ".allow[" + i + "]";
                if (allow.get(i) == null) {
                    report.add(entry, "an entry is an object: cidr, and optionally protocol and ports");
                } else {
                    rules.add(allow.get(i).check(entry, report));
                }
            }
        }
        return report.any() ? Optional.empty() : Optional.of(new NetworkPolicy(mode, rules));
    }
}
