package io.sandplane.devsupport.test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * What every Sandplane service's health promises, tested the same way in each: live, ready while its
 * database answers (and whatever else it checks, named by {@link #readinessChecks()}), not ready while the
 * database is down and ready again without a restart, and health and metrics served on the management
 * port only. A service's {@code ReadinessTest} extends this, as a {@code @QuarkusTest} with the test
 * resources it needs, and adds what only it does.
 */
public abstract class ReadinessContract {

    /** The management interface's root, {@code http://localhost:<management port>/q/}. */
    @TestHTTPResource(value = "/", management = true)
    protected URI management;

    @TestHTTPResource(value = "health/ready", management = true)
    protected URI ready;

    @TestHTTPResource("/")
    protected URI service;

    /** The names of the readiness checks besides the database's, e.g. {@code PVE API}. */
    protected String[] readinessChecks() {
        return new String[0];
    }

    @Test
    void isLive() {
        given().get(management.resolve("health/live")).then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void isReadyWhenEverythingItChecksAnswers() {
        var answer = given().get(ready).then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"));
        for (String check : readinessChecks()) {
            answer.body("checks.name", hasItem(check));
        }
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
