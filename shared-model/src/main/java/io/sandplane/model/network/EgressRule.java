package io.sandplane.model.network;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Objects;

/**
 * One destination of an allow-list policy: connections to {@code cidr} over {@code protocol}, to {@code ports}
 * ({@code null}: every port). Only TCP and UDP have ports; an {@code any} entry opens every protocol.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection
public record EgressRule(Cidr cidr, Protocol protocol, Ports ports) {

    public EgressRule {
        Objects.requireNonNull(cidr, "cidr");
        if (protocol == null) {
            protocol = Protocol.TCP;
        }
        if (ports != null && !protocol.hasPorts()) {
            throw new IllegalArgumentException("an entry for protocol " + protocol.id() + " has no ports");
        }
    }

    /** Whether the entry opens every port of its protocol. */
    public boolean allPorts() {
        return ports == null;
    }

    /** The {@link PrivateRanges} this entry opens (some of) the way to. */
    public List<Cidr> privateRangesReached() {
        return PrivateRanges.reachedBy(cidr);
    }
}
