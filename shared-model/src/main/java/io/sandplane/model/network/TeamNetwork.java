package io.sandplane.model.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A team's network settings, set by the operator: the policy its sandboxes get when a start names none, and the
 * egress modes its starts may ask for. The default is always one of those modes; {@code open} is never allowed
 * unless the operator says so, because it reaches private addresses.
 *
 * <p>JSON: {@code {"default":{"egress":"deny-private","allow":[]},"allowedEgress":["deny-private","allow-list"]}}.
 */
@RegisterForReflection
public record TeamNetwork(@JsonProperty("default") NetworkPolicy defaultPolicy, Set<EgressMode> allowedEgress) {

    public static final Set<EgressMode> DEFAULT_ALLOWED =
            Collections.unmodifiableSet(EnumSet.of(EgressMode.DENY_PRIVATE, EgressMode.ALLOW_LIST));
    /** Every new team's, and what teams from before network policies were given. */
    public static final TeamNetwork DEFAULT = new TeamNetwork(NetworkPolicy.DEFAULT, DEFAULT_ALLOWED);

    public TeamNetwork {
        Objects.requireNonNull(defaultPolicy, "defaultPolicy");
        Set<EgressMode> modes = EnumSet.noneOf(EgressMode.class);
        modes.addAll(allowedEgress);
        allowedEgress = Collections.unmodifiableSet(modes);
        if (!allowedEgress.contains(defaultPolicy.egress())) {
            throw new IllegalArgumentException("the default egress " + defaultPolicy.egress().id()
                    + " is not among the allowed modes " + allowedEgress);
        }
    }
}
