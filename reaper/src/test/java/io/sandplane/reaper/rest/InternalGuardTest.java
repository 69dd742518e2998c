package io.sandplane.reaper.rest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.guard.GuardScenarios;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.api.ReaperApi;
import java.net.URI;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of the reaper's internal API, spelled every way a decoder might take for its path,
 * without the internal token: all refused, and no pass run (this suite's reaper passes only on
 * demand; see {@link GuardScenarios#reaper}).
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class InternalGuardTest {

    @TestHTTPResource("/")
    URI base;

    @ConfigProperty(name = "sandplane.internal-token")
    String token;

    @Test
    void noSpellingOfAnInternalPathGetsPastTheTokenCheck() {
        System.out.println(GuardScenarios.reaper(base, token, ReaperApi.class, true));
    }
}
