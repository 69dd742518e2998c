package io.sandplane.provisioner;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.internal.InternalToken;
import org.junit.jupiter.api.Test;

/** The shared problem+json contract and the internal-token guard, as every service serves them. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class ErrorContractTest {

    @Test
    void unknownPathsAreProblemJson404s() {
        given().get("/no/such/thing").then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("type", equalTo("urn:sandplane:problem:not-found"))
                .body("instance", equalTo("/no/such/thing"));
    }

    @Test
    void internalEndpointsNeedTheInternalToken() {
        // The guard decides on the endpoint a request reached: the request must be one the endpoint takes
        // (a wrong media type is refused with 415 before that, and reaches nothing either).
        given().contentType("application/json").post("/internal/sandboxes/sbx_aaaaaaaaaaaaaaaaaaaa/provision").then()
                .statusCode(401)
                .contentType("application/problem+json")
                .body("detail", containsString(InternalToken.HEADER));
        given().header(InternalToken.HEADER, "wrong-token-wrong-token").get("/internal/guests").then()
                .statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void theRightTokenPassesTheGuard() {
        given().header(InternalToken.HEADER, "test-internal-token-not-secret").get("/internal/no-such-endpoint").then()
                .statusCode(not(equalTo(401)));
    }
}
