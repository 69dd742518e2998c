package io.sandplane.model.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * A change of a team's network settings, as the operator sends it: either member or both; an absent member
 * keeps its current value.
 */
public record TeamNetworkRequest(@JsonProperty("default") NetworkPolicyRequest defaultPolicy, List<String> allowedEgress) {

    /**
     * @return the team's settings after this change to {@code current}, or empty with every problem reported
     */
    public Optional<TeamNetwork> applyTo(TeamNetwork current, BiConsumer<String, String> errors) {
        FieldErrors report = new FieldErrors(errors);
        if (defaultPolicy == null && allowedEgress == null) {
            report.add("body", "give default and/or allowedEgress");
            return Optional.empty();
        }
        NetworkPolicy policy = defaultPolicy == null ? current.defaultPolicy()
                : defaultPolicy.check("default", report::add).orElse(null);
        Set<EgressMode> modes = allowedEgress == null ? current.allowedEgress() : modes(report);
        if (report.any()) {
            return Optional.empty();
        }
        if (!modes.contains(policy.egress())) {
            String allowed = modes.stream().map(EgressMode::id).collect(Collectors.joining(", "));
            report.add(defaultPolicy != null ? "default.egress" : "allowedEgress", "the default policy's egress "
                    + policy.egress().id() + " must be one of allowedEgress (" + allowed + ")"
                    + (defaultPolicy == null ? "; give a new default too" : ""));
            return Optional.empty();
        }
        return Optional.of(new TeamNetwork(policy, modes));
    }

    private Set<EgressMode> modes(FieldErrors report) {
        Set<EgressMode> modes = EnumSet.noneOf(EgressMode.class);
        if (allowedEgress.isEmpty()) {
            report.add("allowedEgress", "at least one egress mode; for a team whose sandboxes may reach nothing, allow"
                    + " allow-list alone with the default {\"egress\":\"allow-list\",\"allow\":[]}");
        }
        for (int i = 0; i < allowedEgress.size(); i++) {
            String field = "allowedEgress[" + i + "]";
            String id = allowedEgress.get(i);
            EgressMode mode = id == null ? null : report.parse(() -> EgressMode.fromId(field, id));
            if (id == null) {
                report.add(field, "an egress mode: open, deny-private or allow-list");
            } else if (mode != null && !modes.add(mode)) {
                report.add(field, mode.id() + " is listed twice");
            }
        }
        return modes;
    }
}
