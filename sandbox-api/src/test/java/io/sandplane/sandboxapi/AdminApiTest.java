package io.sandplane.sandboxapi;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.sandboxapi.support.TestTeam;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class AdminApiTest {

    private static RequestSpecification operator() {
        return given().header("Authorization", TestTeam.OPERATOR).contentType("application/json");
    }

    @Test
    void createsTeamsWithDefaultOrGivenQuotasAndFindsThemBySlugOrId() {
        String slug = "acme-" + UUID.randomUUID().toString().substring(0, 8);
        String id = operator().body("{\"slug\":\"" + slug + "\",\"name\":\"Acme\"}").post("/api/admin/teams")
                .then().statusCode(201)
                .header("Location", containsString("/api/admin/teams/"))
                .body("slug", equalTo(slug))
                .body("disabled", equalTo(false))
                .body("quotas.maxLiveSandboxes", equalTo(10))
                .body("quotas.startsPerHour", equalTo(10))
                .extract().path("id");
        operator().get("/api/admin/teams/" + slug).then().statusCode(200).body("id", equalTo(id));
        operator().get("/api/admin/teams/" + id).then().statusCode(200).body("slug", equalTo(slug));
        operator().get("/api/admin/teams").then().statusCode(200).body("slug", hasItem(slug));
        operator().body("{\"slug\":\"" + slug + "\",\"name\":\"Again\"}").post("/api/admin/teams")
                .then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void setsQuotasDisablesAndEnablesTeams() {
        TestTeam team = TestTeam.create();
        operator().body("{\"startsPerHour\":3}").put("/api/admin/teams/" + team.slug() + "/quotas")
                .then().statusCode(200).body("quotas.startsPerHour", equalTo(3)).body("quotas.maxLiveSandboxes", equalTo(10));
        team.api().get("/api/team").then().statusCode(200).body("team.quotas.startsPerHour", equalTo(3))
                .body("liveSandboxes", equalTo(0));
        operator().post("/api/admin/teams/" + team.slug() + "/disable").then().statusCode(200).body("disabled", equalTo(true));
        team.api().get("/api/sandboxes").then().statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("urn:sandplane:problem:team-disabled"));
        operator().post("/api/admin/teams/" + team.slug() + "/enable").then().statusCode(200).body("disabled", equalTo(false));
        team.api().get("/api/sandboxes").then().statusCode(200);
    }

    @Test
    void showsAKeyOnceKeepsOnlyItsPrefixAndRevokesIt() {
        TestTeam team = TestTeam.create();
        var created = operator().body("{\"name\":\"ci\"}").post("/api/admin/teams/" + team.slug() + "/keys")
                .then().statusCode(201).body("key", startsWith("spk_")).body("prefix", notNullValue()).extract();
        String key = created.path("key");
        String prefix = created.path("prefix");
        assertThat(key).startsWith(prefix).hasSizeGreaterThan(40);
        List<String> listedKeys = operator().get("/api/admin/teams/" + team.slug() + "/keys")
                .then().statusCode(200).body("prefix", hasItem(prefix)).body("key", not(hasItem(key)))
                .extract().path("key");
        assertThat(listedKeys).containsOnlyNulls();

        given().header("Authorization", "Bearer " + key).get("/api/sandboxes").then().statusCode(200);
        operator().delete("/api/admin/teams/" + team.slug() + "/keys/" + created.path("id"))
                .then().statusCode(200).body("revokedAt", notNullValue()).body("key", nullValue());
        given().header("Authorization", "Bearer " + key).get("/api/sandboxes").then().statusCode(401);
        // The team's other key still works.
        team.api().get("/api/sandboxes").then().statusCode(200);
    }

    @Test
    void refusesCallersWithoutTheOperatorToken() {
        given().get("/api/admin/teams").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer");
        given().header("Authorization", "Bearer wrong").get("/api/admin/teams").then().statusCode(401);
        TestTeam team = TestTeam.create();
        given().header("Authorization", "Bearer " + team.key()).get("/api/admin/teams").then().statusCode(401);
    }

    @Test
    void answersUnknownTeamsAndKeysWith404() {
        operator().get("/api/admin/teams/no-such-team").then().statusCode(404).contentType("application/problem+json");
        TestTeam team = TestTeam.create();
        operator().delete("/api/admin/teams/" + team.slug() + "/keys/" + UUID.randomUUID()).then().statusCode(404);
        // A key of one team cannot be revoked through another.
        TestTeam other = TestTeam.create();
        operator().delete("/api/admin/teams/" + other.slug() + "/keys/" + team.keyId()).then().statusCode(404);
        team.api().get("/api/sandboxes").then().statusCode(200);
    }
}
