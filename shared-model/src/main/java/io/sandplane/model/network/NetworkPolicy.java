package io.sandplane.model.network;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * What a sandbox may reach outbound, fixed when it starts and kept for its life (pause, stop and resume
 * change nothing). Inbound is not part of a policy: only the url-router reaches a sandbox, on the ports it
 * exposed, and one sandbox never reaches another, whatever either's egress says.
 *
 * <p>JSON: {@code {"egress":"allow-list","allow":[{"cidr":"203.0.113.0/24","protocol":"tcp","ports":"443"}]}};
 * {@code allow} is empty unless {@code egress} is {@code allow-list}.
 */
@RegisterForReflection
public record NetworkPolicy(EgressMode egress, List<EgressRule> allow) {

    /** Enough for any reasonable list of services; each entry becomes a firewall rule on every start. */
    public static final int MAX_ALLOW_RULES = 64;
    /** What a team's sandboxes get unless the operator sets another default: the internet, nothing private. */
    public static final NetworkPolicy DEFAULT = new NetworkPolicy(EgressMode.DENY_PRIVATE, List.of());

    public NetworkPolicy {
        Objects.requireNonNull(egress, "egress");
        allow = allow == null ? List.of() : List.copyOf(allow);
        if (egress != EgressMode.ALLOW_LIST && !allow.isEmpty()) {
            throw new IllegalArgumentException("only an allow-list policy lists destinations, not " + egress.id());
        }
        if (allow.size() > MAX_ALLOW_RULES) {
            throw new IllegalArgumentException("at most " + MAX_ALLOW_RULES + " allow entries, not " + allow.size());
        }
    }

    /**
     * The egress modes a team must be allowed to use this policy: its own mode, and {@code open} as well when an
     * allow-list entry reaches into {@link PrivateRanges} — listing {@code 10.0.0.0/8} (or {@code 0.0.0.0/0})
     * reaches private addresses exactly as {@code open} does.
     */
    public Set<EgressMode> permissionsNeeded() {
        Set<EgressMode> needed = EnumSet.of(egress);
        if (allow.stream().anyMatch(rule -> !rule.privateRangesReached().isEmpty())) {
            needed.add(EgressMode.OPEN);
        }
        return needed;
    }

    /**
     * Why a team that may use {@code allowed} may not start a sandbox with this policy; empty when it may.
     *
     * @param field the policy's place in the request, for naming an entry (e.g. {@code network})
     */
    public Optional<String> refusal(String field, Set<EgressMode> allowed) {
        String mayUse = allowed.stream().sorted().map(EgressMode::id).collect(Collectors.joining(", "));
        if (!allowed.contains(egress)) {
            return Optional.of("egress " + egress.id() + " is not allowed for this team, which may use " + mayUse
                    + "; the operator decides");
        }
        if (allowed.containsAll(permissionsNeeded())) {
            return Optional.empty();
        }
        String entries = IntStream.range(0, allow.size())
                .filter(i -> !allow.get(i).privateRangesReached().isEmpty())
                .mapToObj(i -> field + ".allow[" + i + "] " + allow.get(i).cidr() + " reaches "
                        + allow.get(i).privateRangesReached().stream().map(Cidr::toString).collect(Collectors.joining(", ")))
                .collect(Collectors.joining("; "));
        return Optional.of(entries + ": private, link-local and metadata addresses need egress open, which this team"
                + " may not use (it may use " + mayUse + "); the operator decides");
    }
}
