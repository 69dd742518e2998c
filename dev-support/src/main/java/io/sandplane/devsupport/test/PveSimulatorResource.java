package io.sandplane.devsupport.test;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sandplane.devsupport.simulator.SharedSimulator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at the JVM's shared pve-simulator process. Returns the settings both
 * as properties ({@code pve.api-url}, {@code pve.api-token}, {@code pve.verify-tls}) and under the
 * environment-variable names ({@code PVE_API_URL}, {@code PVE_API_TOKEN}, {@code PVE_VERIFY_TLS}),
 * so {@code ${PVE_API_URL}} in application.properties resolves too. Declare it with
 * {@code @WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)}.
 */
public class PveSimulatorResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        SharedSimulator sim = SharedSimulator.get();
        Map<String, String> config = new LinkedHashMap<>(sim.env());
        config.put("pve.api-url", sim.apiUrl());
        config.put("pve.api-token", sim.token());
        config.put("pve.verify-tls", "false");
        return config;
    }

    @Override
    public void stop() {
        // Shared by the whole test JVM; a shutdown hook stops it.
    }
}
