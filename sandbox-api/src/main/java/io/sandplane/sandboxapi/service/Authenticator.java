package io.sandplane.sandboxapi.service;

import io.sandplane.model.Secrets;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.sandboxapi.config.ApiConfig;
import io.sandplane.sandboxapi.repository.ApiKeyRepository;
import jakarta.enterprise.context.ApplicationScoped;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Team API keys and the operator token, both sent as {@code Authorization: Bearer …}. */
@ApplicationScoped
public class Authenticator {

    /** Longest bearer value worth hashing; keys are ~50 characters. */
    private static final int MAX_TOKEN_LENGTH = 512;

    private final ApiKeyRepository keys;
    private final KeyLookup lookup;
    private final Optional<byte[]> operatorToken;

    public Authenticator(ApiKeyRepository keys, KeyLookup lookup, ApiConfig config) {
        this.keys = keys;
        this.lookup = lookup;
        this.operatorToken = config.operatorToken().map(String::trim).filter(t -> !t.isEmpty())
                .map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * 401 without a valid, unrevoked key; 403 when the key's team is disabled. One read, outside a
     * transaction: this runs on every request, and a transaction would cost the database more round trips
     * than the query itself.
     */
    public Caller team(String authorization) {
        String token = bearer(authorization, "a team API key");
        KeyLookup.KeyRecord found = lookup.find(Secrets.sha256Hex(token))
                .orElseThrow(() -> unauthorized("the API key is not valid (unknown or revoked)"));
        if (found.teamDisabled()) {
            throw new ProblemException(403, "team-disabled", "Team disabled",
                    "team " + found.teamSlug() + " is disabled; ask the operator");
        }
        Instant now = Instant.now();
        if (found.lastUsedAt() == null || found.lastUsedAt().isBefore(now.minusSeconds(60))) {
            QuarkusTransaction.requiringNew().run(() -> keys.touch(found.keyId(), now));
        }
        return new Caller(found.teamId(), found.teamSlug(), found.keyId(), found.prefix());
    }

    public void operator(String authorization) {
        if (operatorToken.isEmpty()) {
            throw new ProblemException(403, "admin-disabled", "Admin API disabled",
                    "the operator API is closed: SANDPLANE_OPERATOR_TOKEN is not set");
        }
        String token = bearer(authorization, "the operator token");
        if (!MessageDigest.isEqual(operatorToken.get(), token.getBytes(StandardCharsets.UTF_8))) {
            throw unauthorized("the operator token is not valid");
        }
    }

    private static String bearer(String authorization, String what) {
        if (authorization == null || authorization.isBlank()) {
            throw unauthorized("send Authorization: Bearer <" + what + ">");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthorized("the Authorization header must use the Bearer scheme");
        }
        String token = authorization.substring(7).trim();
        if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            throw unauthorized("the bearer token is empty or too long");
        }
        return token;
    }

    private static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "unauthorized", "Unauthorized", detail, Map.of());
    }
}
