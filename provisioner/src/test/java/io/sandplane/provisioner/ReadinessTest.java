package io.sandplane.provisioner;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.simulator.Fault;
import io.sandplane.devsupport.test.ManagementInterface;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.devsupport.test.ReadinessProbe;
import io.sandplane.provisioner.support.Sim;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class ReadinessTest {

    /** The management interface's root, {@code http://localhost:<management port>/q/}. */
    @TestHTTPResource(value = "/", management = true)
    URI management;

    @TestHTTPResource(value = "health/ready", management = true)
    URI ready;

    @TestHTTPResource("/")
    URI service;

    @BeforeEach
    void freshSimulator() {
        Sim.fresh();
    }

    @Test
    void isLive() {
        given().get(management.resolve("health/live")).then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void isReadyWhenTheDatabaseAndPveAnswer() {
        given().get(ready).then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"))
                .body("checks.name", hasItem("PVE API"));
    }

    @Test
    void isNotReadyWhileTheDatabaseIsDownAndRecoversWithoutARestart() {
        ReadinessProbe.assertFollowsDatabase(ready);
    }

    @Test
    void isNotReadyWhilePveFailsAndRecoversWithoutARestart() {
        var fault = Sim.control().addFault(Fault.error("GET", "/version", 596, "Connection timed out"));
        try {
            ReadinessProbe.awaitStatus(ready, 503, Duration.ofSeconds(30));
        } finally {
            Sim.control().removeFault(fault.id());
        }
        Sim.fresh();
        ReadinessProbe.awaitStatus(ready, 200, Duration.ofSeconds(30));
    }

    @Test
    void servesHealthAndMetricsOnTheManagementPortOnly() {
        System.out.println(ManagementInterface.assertServedOnlyThere(service, management));
    }
}
