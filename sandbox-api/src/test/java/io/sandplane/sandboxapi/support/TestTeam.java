package io.sandplane.sandboxapi.support;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;
import java.util.UUID;

/** A team made through the admin API for one test, with one API key. */
public record TestTeam(UUID id, String slug, String key, String keyId) {

    public static final String OPERATOR = "Bearer test-operator-token-not-secret";

    /** A request authenticated with this team's key. */
    public RequestSpecification api() {
        return given().header("Authorization", "Bearer " + key).contentType("application/json");
    }

    public TestTeam disable() {
        given().header("Authorization", OPERATOR).post("/api/admin/teams/" + slug + "/disable").then().statusCode(200);
        return this;
    }

    /** Sets the team's network settings through the admin API ({@code {"default": …, "allowedEgress": […]}}). */
    public TestTeam network(String settings) {
        given().header("Authorization", OPERATOR).contentType("application/json").body(settings)
                .put("/api/admin/teams/" + slug + "/network").then().statusCode(200);
        return this;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static TestTeam create() {
        return builder().create();
    }

    public static final class Builder {
        private Integer maxLive = 10;
        private Integer startsPerHour = 100;

        public Builder maxLive(int n) {
            this.maxLive = n;
            return this;
        }

        public Builder startsPerHour(int n) {
            this.startsPerHour = n;
            return this;
        }

        public TestTeam create() {
            String slug = "t-" + UUID.randomUUID().toString().substring(0, 12);
            String id = given().header("Authorization", OPERATOR).contentType("application/json")
                    .body("{\"slug\":\"" + slug + "\",\"name\":\"Team " + slug + "\",\"quotas\":{\"maxLiveSandboxes\":"
                            + maxLive + ",\"startsPerHour\":" + startsPerHour + "}}")
                    .post("/api/admin/teams").then().statusCode(201).extract().path("id");
            var key = given().header("Authorization", OPERATOR).contentType("application/json")
                    .body("{\"name\":\"test\"}")
                    .post("/api/admin/teams/" + slug + "/keys").then().statusCode(201).extract();
            return new TestTeam(UUID.fromString(id), slug, key.path("key"), key.path("id"));
        }
    }
}
