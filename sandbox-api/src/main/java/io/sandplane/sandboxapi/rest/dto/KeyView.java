package io.sandplane.sandboxapi.rest.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.sandplane.model.entity.ApiKey;
import java.time.Instant;
import java.util.UUID;

/** An API key as listed: never the key itself, except in {@code key} of the answer that created it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KeyView(UUID id, UUID teamId, String name, String prefix, Instant createdAt, Instant lastUsedAt,
        Instant revokedAt, String key) {

    public static KeyView of(ApiKey k) {
        return new KeyView(k.id, k.teamId, k.name, k.prefix, k.createdAt, k.lastUsedAt, k.revokedAt, null);
    }

    public KeyView withKey(String secret) {
        return new KeyView(id, teamId, name, prefix, createdAt, lastUsedAt, revokedAt, secret);
    }
}
