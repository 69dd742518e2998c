package io.sandplane.sandboxapi;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.guard.ContractEndpoints;
import io.sandplane.devsupport.guard.Endpoint;
import io.sandplane.devsupport.guard.OpenApiEndpoints;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.sandboxapi.rest.AdminResource;
import io.sandplane.sandboxapi.rest.CalledWith;
import io.sandplane.sandboxapi.rest.ConfigResource;
import io.sandplane.sandboxapi.rest.SandboxResource;
import io.sandplane.sandboxapi.rest.TeamResource;
import io.sandplane.sandboxapi.support.TestTeam;
import io.sandplane.sandboxapi.support.UndeclaredResource;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The credential an endpoint needs is declared once, on its resource ({@link CalledWith}); the
 * OpenAPI document says the same, and the spelling corpus (AuthGuardTest) relies on it.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class AccessDeclarationTest {

    /** Every resource class of the public API. */
    private static final List<Class<?>> RESOURCES = List.of(SandboxResource.class, TeamResource.class,
            AdminResource.class, ConfigResource.class);

    @TestHTTPResource("/")
    URI base;

    @Test
    void everyDocumentedOperationNeedsWhatItsResourceDeclares() {
        Map<String, String> declared = new TreeMap<>();
        for (Class<?> resource : RESOURCES) {
            CalledWith calledWith = resource.getAnnotation(CalledWith.class);
            assertThat(calledWith).as(resource.getSimpleName() + " declares its credential").isNotNull();
            String scheme = switch (calledWith.value()) {
                case TEAM_KEY -> "teamKey";
                case OPERATOR_TOKEN -> "operatorToken";
                case NONE -> "";
            };
            for (Endpoint e : ContractEndpoints.of(resource)) {
                declared.put(e.method() + " " + e.template(), scheme);
            }
        }
        Map<String, String> documented = new TreeMap<>();
        for (OpenApiEndpoints.Operation op : OpenApiEndpoints.read(base)) {
            documented.put(op.endpoint().method() + " " + op.endpoint().template(), op.scheme());
        }

        assertThat(documented).isEqualTo(declared);
    }

    @Test
    void aResourceThatDeclaresNoCredentialIsClosedToEveryone() {
        TestTeam team = TestTeam.create();
        for (String authorization : new String[] { null, "Bearer " + team.key(), TestTeam.OPERATOR }) {
            var request = given();
            if (authorization != null) {
                request = request.header("Authorization", authorization);
            }
            request.get("/api/test-only/undeclared").then().statusCode(403)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:sandplane:problem:forbidden"))
                    .body(not(equalTo(UndeclaredResource.ANSWER)));
        }
    }
}
