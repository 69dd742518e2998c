package io.sandplane.devsupport.test;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sandplane.devsupport.simulator.SharedSimulator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Like {@link PveSimulatorResource}, but points a {@code @QuarkusTest} at the JVM's HTTPS simulator
 * ({@link SharedSimulator#getHttps()}): {@code PVE_API_URL} is {@code https://…}, {@code PVE_VERIFY_TLS}
 * false (the certificate is self-signed), and {@code pve.tls-certificate-file} names its certificate
 * (PEM) for a test that wants to verify it (e.g. {@code quarkus.tls.<name>.trust-store.pem.certs}).
 */
public class PveSimulatorHttpsResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        SharedSimulator sim = SharedSimulator.getHttps();
        String certificate = sim.certificateFile().orElseThrow().toString();
        Map<String, String> config = new LinkedHashMap<>(sim.env());
        config.put("pve.api-url", sim.apiUrl());
        config.put("pve.api-token", sim.token());
        config.put("pve.verify-tls", "false");
        config.put("pve.tls-certificate-file", certificate);
        return config;
    }

    @Override
    public void stop() {
        // Shared by the whole test JVM; a shutdown hook stops it.
    }
}
