package io.sandplane.sandboxapi;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.test.ReadinessContract;
import io.sandplane.devsupport.test.ReadinessProbe;
import io.sandplane.devsupport.test.SharedPostgres;
import io.sandplane.sandboxapi.support.TestTeam;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Health as every service promises it ({@link ReadinessContract}), and the API's answers while the database is down. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class ReadinessTest extends ReadinessContract {

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
}
