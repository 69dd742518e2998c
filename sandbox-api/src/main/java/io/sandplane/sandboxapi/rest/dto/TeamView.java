package io.sandplane.sandboxapi.rest.dto;

import io.sandplane.model.entity.Team;
import java.time.Instant;
import java.util.UUID;

public record TeamView(UUID id, String slug, String name, boolean disabled, Quotas quotas, Instant createdAt,
        Instant updatedAt) {

    public static TeamView of(Team t) {
        return new TeamView(t.id, t.slug, t.name, t.disabled, new Quotas(t.maxLiveSandboxes, t.startsPerHour), t.createdAt,
                t.updatedAt);
    }
}
