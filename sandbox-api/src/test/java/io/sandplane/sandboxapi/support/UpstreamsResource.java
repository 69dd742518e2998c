package io.sandplane.sandboxapi.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sandplane.devsupport.provisioner.SharedProvisioner;
import io.sandplane.devsupport.test.SharedUrlRouter;
import java.util.Map;

/**
 * Points sandbox-api at the real provisioner (over the pve-simulator) and the real url-router, each
 * its built jar run as a process over the shared PostgreSQL. For the classes that go through them
 * (scope MATCHING_RESOURCES: they share one application); the others keep both unreachable.
 */
public class UpstreamsResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        System.setProperty("sandplane.test.provisioner-url", SharedProvisioner.get().url());
        return Map.of(
                "quarkus.rest-client.provisioner.url", SharedProvisioner.get().url(),
                "quarkus.rest-client.url-router.url", SharedUrlRouter.get().internalUrl());
    }

    @Override
    public void stop() {
        // Shared by the test JVM; shutdown hooks stop them.
    }
}
