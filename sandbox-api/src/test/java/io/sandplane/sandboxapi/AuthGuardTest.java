package io.sandplane.sandboxapi;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.guard.GuardScenarios;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.sandboxapi.support.TestTeam;
import io.sandplane.sandboxapi.support.UpstreamsResource;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * Every team-key and operator endpoint of the public API, spelled every way a decoder might take
 * for its path, without the credential it needs (none, a wrong one, the other kind): all refused,
 * and none acted (see {@link GuardScenarios#sandboxApi}). Against a real sandbox, through the real
 * provisioner and url-router, so that a request let through would have had an effect to see.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = UpstreamsResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class AuthGuardTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void noSpellingOfAPathGetsPastTheCredentialItsEndpointNeeds() {
        TestTeam team = TestTeam.create();
        String sandbox = team.api().body("{\"preset\":\"4vcpu_8gb_32gb\"}").post("/api/sandboxes")
                .then().statusCode(201).extract().path("id");

        System.out.println(GuardScenarios.sandboxApi(base, TestTeam.OPERATOR.substring("Bearer ".length()), team.slug(),
                team.key(), team.keyId(), sandbox));
    }
}
