package io.sandplane.sandboxapi;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.ManagementInterface;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.test.ReadinessProbe;
import io.sandplane.devsupport.test.SharedPostgres;
import io.sandplane.sandboxapi.support.TestTeam;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class ReadinessTest {

    /** The management interface's root, {@code http://localhost:<management port>/q/}. */
    @TestHTTPResource(value = "/", management = true)
    URI management;

    @TestHTTPResource(value = "health/ready", management = true)
    URI ready;

    @TestHTTPResource("/")
    URI service;

    @Test
    void isLive() {
        given().get(management.resolve("health/live")).then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void isReadyWhenTheDatabaseAnswers() {
        given().get(ready).then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"));
    }

    @Test
    void answersRetryable503sWhileTheDatabaseIsDownAndServesAgainAfterwards() {
        TestTeam team = TestTeam.create();
        team.api().get("/api/sandboxes").then().statusCode(200);
        EmbeddedPostgres pg = SharedPostgres.get();
        pg.stop();
        try {
            // A known key (maybe cached) and an unknown one: both need the database, neither is the caller's fault.
            for (String key : new String[] { team.key(), "spk_unknownkeyunknownkeyunknownkey" }) {
                given().header("Authorization", "Bearer " + key).get("/api/sandboxes").then()
                        .statusCode(503)
                        .contentType("application/problem+json")
                        .header("Retry-After", notNullValue())
                        .body("type", equalTo("urn:sandplane:problem:database-unavailable"))
                        .body("errorId", nullValue());
            }
        } finally {
            pg.start();
        }
        ReadinessProbe.awaitStatus(ready, 200, Duration.ofSeconds(60));
        team.api().get("/api/sandboxes").then().statusCode(200);
    }

    @Test
    void isNotReadyWhileTheDatabaseIsDownAndRecoversWithoutARestart() {
        ReadinessProbe.assertFollowsDatabase(ready);
    }

    @Test
    void servesHealthAndMetricsOnTheManagementPortOnly() {
        System.out.println(ManagementInterface.assertServedOnlyThere(service, management));
    }
}
