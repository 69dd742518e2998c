package io.sandplane.e2e.support;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.AtomicInteger;

/** Test fixtures: a fresh team and its API key, made through the operator API as an operator would. */
public final class Teams {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private Teams() {
    }

    /** A team: its slug and an API key of it (the key and its id). */
    public record Team(String slug, String key, String keyId) {
    }

    static Builder builder(Api api, String operatorToken) {
        return new Builder(api, operatorToken);
    }

    public static final class Builder {
        private final Api api;
        private final String operatorToken;
        private String slug;
        private int maxLiveSandboxes = 10;
        private int startsPerHour = 50;

        private Builder(Api api, String operatorToken) {
            this.api = api;
            this.operatorToken = operatorToken;
        }

        /** Default: a unique {@code e2e-<n>-<time>}, so runs and tests never share a team. */
        public Builder slug(String slug) {
            this.slug = slug;
            return this;
        }

        public Builder maxLiveSandboxes(int max) {
            this.maxLiveSandboxes = max;
            return this;
        }

        public Builder startsPerHour(int starts) {
            this.startsPerHour = starts;
            return this;
        }

        public Team create() {
            String s = slug != null ? slug
                    : "e2e-" + SEQUENCE.incrementAndGet() + "-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
            ObjectNode body = Json.object().put("slug", s).put("name", "End-to-end " + s);
            body.putObject("quotas").put("maxLiveSandboxes", maxLiveSandboxes).put("startsPerHour", startsPerHour);
            Api.Answer team = api.post("/api/admin/teams", operatorToken, body);
            if (team.status() != 201) {
                throw new AssertionError("create team " + s + ": " + team);
            }
            Api.Answer key = api.post("/api/admin/teams/" + s + "/keys", operatorToken, Json.object().put("name", "e2e"));
            if (key.status() != 201) {
                throw new AssertionError("create a key of " + s + ": " + key);
            }
            return new Team(s, key.json().path("key").asText(), key.json().path("id").asText());
        }
    }
}
