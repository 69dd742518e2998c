package io.sandplane.sandboxapi.service;

import io.quarkus.cache.CacheInvalidateAll;
import io.quarkus.cache.CacheResult;
import io.sandplane.sandboxapi.repository.ApiKeyRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * API keys by hash, cached for a few seconds ({@code SANDPLANE_API_KEY_CACHE_TTL}, default 2 s): every
 * request authenticates, and the lookup would otherwise be a third of a GET's database work.
 */
@ApplicationScoped
public class KeyLookup {

    static final String CACHE = "api-keys";

    /** What authentication needs of a key and its team. */
    public record KeyRecord(UUID keyId, String prefix, Instant lastUsedAt, UUID teamId, String teamSlug,
            boolean teamDisabled) {
    }

    private final ApiKeyRepository keys;

    public KeyLookup(ApiKeyRepository keys) {
        this.keys = keys;
    }

    /** An unrevoked key; read outside a transaction (one query). */
    @CacheResult(cacheName = CACHE)
    public Optional<KeyRecord> find(String keyHash) {
        return keys.findActive(keyHash).map(f -> new KeyRecord(f.key().id, f.key().prefix, f.key().lastUsedAt,
                f.team().id, f.team().slug, f.team().disabled));
    }

    /** After a revocation or a team change: this replica forgets at once, the others within the TTL. */
    @CacheInvalidateAll(cacheName = CACHE)
    public void forgetAll() {
    }
}
