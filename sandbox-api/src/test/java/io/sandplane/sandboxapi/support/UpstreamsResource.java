package io.sandplane.sandboxapi.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sandplane.devsupport.test.SharedUrlRouter;
import java.util.Map;

/**
 * Points sandbox-api at the real url-router (its built jar, as a process over the shared
 * PostgreSQL). Used by the classes that go through it; the others keep it unreachable.
 */
public class UpstreamsResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("quarkus.rest-client.url-router.url", SharedUrlRouter.get().internalUrl());
    }

    @Override
    public void stop() {
        // Shared by the test JVM; a shutdown hook stops it.
    }
}
