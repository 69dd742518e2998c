package io.sandplane.provisioner.rest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.guard.GuardScenarios;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.api.ProvisionerApi;
import io.sandplane.model.api.SandboxState;
import io.sandplane.provisioner.support.Fixtures;
import io.sandplane.provisioner.support.InternalApi;
import io.sandplane.provisioner.support.Sim;
import jakarta.inject.Inject;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of the provisioner's internal API, spelled every way a decoder might take for its
 * path, without the internal token: all refused, and none acted (see {@link GuardScenarios#provisioner}).
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class InternalGuardTest {

    @Inject
    Fixtures fixtures;

    @TestHTTPResource("/")
    URI base;

    @Test
    void noSpellingOfAnInternalPathGetsPastTheTokenCheck() {
        Sim.fresh();
        SandboxState running = InternalApi.provision(fixtures.sandbox().insert());

        System.out.println(GuardScenarios.provisioner(base, InternalApi.TOKEN, ProvisionerApi.class, running.id(),
                running.node(), running.vmid()));
    }
}
