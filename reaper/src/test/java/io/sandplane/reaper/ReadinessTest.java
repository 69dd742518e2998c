package io.sandplane.reaper;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.ManagementInterface;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.ReadinessProbe;
import java.net.URI;
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
    void isNotReadyWhileTheDatabaseIsDownAndRecoversWithoutARestart() {
        ReadinessProbe.assertFollowsDatabase(ready);
    }

    @Test
    void servesHealthAndMetricsOnTheManagementPortOnly() {
        System.out.println(ManagementInterface.assertServedOnlyThere(service, management));
    }
}
