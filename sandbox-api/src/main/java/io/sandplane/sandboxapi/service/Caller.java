package io.sandplane.sandboxapi.service;

import java.util.UUID;

/** The team a request acts for, established from its API key. */
public record Caller(UUID teamId, String teamSlug, UUID keyId, String keyPrefix) {

    /** True when a cmux {@code teamSlugOrId} names this team. */
    public boolean isTeam(String slugOrId) {
        return slugOrId != null && (slugOrId.equals(teamSlug) || slugOrId.equalsIgnoreCase(teamId.toString()));
    }
}
