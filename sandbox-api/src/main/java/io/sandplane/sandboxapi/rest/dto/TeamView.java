package io.sandplane.sandboxapi.rest.dto;

import io.sandplane.model.entity.Team;
import io.sandplane.model.network.TeamNetwork;
import java.time.Instant;
import java.util.UUID;

/** @param network the policy of starts that name none, and the egress modes starts may ask for */
public record TeamView(UUID id, String slug, String name, boolean disabled, Quotas quotas, TeamNetwork network,
        Instant createdAt, Instant updatedAt) {

    public static TeamView of(Team t) {
        return new TeamView(t.id, t.slug, t.name, t.disabled, new Quotas(t.maxLiveSandboxes, t.startsPerHour), t.network(),
                t.createdAt, t.updatedAt);
    }
}
