package io.sandplane.devsupport.provisioner;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} of a service that calls the provisioner at the JVM's
 * {@link SharedProvisioner} process: {@code SANDPLANE_PROVISIONER_URL} and
 * {@code quarkus.rest-client.provisioner.url}. Declare it with
 * {@code @WithTestResource(value = SharedProvisionerResource.class, scope = TestResourceScope.GLOBAL)}.
 */
public class SharedProvisionerResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return SharedProvisioner.get().clientConfig();
    }

    @Override
    public void stop() {
        // Shared by the whole test JVM; a shutdown hook stops it.
    }
}
