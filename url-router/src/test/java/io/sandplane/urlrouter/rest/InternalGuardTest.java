package io.sandplane.urlrouter.rest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.guard.GuardScenarios;
import io.sandplane.devsupport.provisioner.SharedProvisioner;
import io.sandplane.devsupport.provisioner.SharedProvisionerResource;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.api.ServiceRoutesApi;
import io.sandplane.model.service.AuthMode;
import io.sandplane.urlrouter.support.Fixtures;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of the url-router's internal API, spelled every way a decoder might take for its
 * path, without the internal token: all refused, and no service exposed or hidden (see
 * {@link GuardScenarios#urlRouter}).
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = SharedProvisionerResource.class, scope = TestResourceScope.GLOBAL)
class InternalGuardTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void noSpellingOfAnInternalPathGetsPastTheTokenCheck() {
        Fixtures.Sandbox sandbox = Fixtures.sandbox().ip("10.0.0.77").service("vscode", 39378, AuthMode.TOKEN).insert();

        System.out.println(GuardScenarios.urlRouter(base, SharedProvisioner.INTERNAL_TOKEN, ServiceRoutesApi.class,
                sandbox.id(), "vscode"));
    }
}
