package io.sandplane.devsupport.provisioner;

import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.test.SharedPostgres;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One provisioner per test JVM, started from its built jar ({@code provisioner/target/quarkus-app})
 * on first use as its own process, wired to the JVM's {@link SharedPostgres} and
 * {@link SharedSimulator}, and stopped when the JVM exits. For the test suites of the services that
 * call the provisioner (sandbox-api, url-router, reaper):
 *
 * <pre>
 * SharedProvisioner p = SharedProvisioner.get();
 * // quarkus.rest-client.provisioner.url = p.url(), header X-Sandplane-Internal-Token = INTERNAL_TOKEN
 * </pre>
 *
 * It serves service URLs under {@link #PUBLIC_DOMAIN} and uses short waits suited to the simulator
 * (a guest without an address or execd fails in seconds, not minutes). Tests that inject simulator
 * faults should reset the simulator afterwards; the provisioner itself keeps no state but the database.
 */
public final class SharedProvisioner {

    /** The internal token every Sandplane service uses in tests ({@code %test.sandplane.internal-token}). */
    public static final String INTERNAL_TOKEN = "test-internal-token-not-secret";
    /** {@code PVE_PUBLIC_DOMAIN} of the shared provisioner: URLs are {@code http://port-P-vm-N.sandplane.localhost:8088}. */
    public static final String PUBLIC_DOMAIN = "sandplane.localhost:8088";

    private static SharedProvisioner instance;

    private final ServiceProcess process;

    private SharedProvisioner(ServiceProcess process) {
        this.process = process;
    }

    public static synchronized SharedProvisioner get() {
        if (instance == null) {
            ServiceProcess p = ServiceProcess.of("provisioner").env(env()).startTimeout(Duration.ofSeconds(120)).start();
            instance = new SharedProvisioner(p);
            Runtime.getRuntime().addShutdownHook(new Thread(p::stop, "stop-provisioner"));
        }
        return instance;
    }

    /** The environment the process gets: database, simulator, internal token, test-sized waits. */
    public static Map<String, String> env() {
        Map<String, String> env = env(SharedSimulator.get().env());
        env.putAll(SharedSimulator.isolationEnv(SharedSimulator.get().control().guestNetwork()));
        return env;
    }

    /** The same, for a provisioner talking to another PVE (e.g. a simulator a benchmark runs itself). */
    public static Map<String, String> env(Map<String, String> pveEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        env.putAll(SharedPostgres.datasourceEnv());
        env.putAll(pveEnv);
        env.put("SANDPLANE_INTERNAL_TOKEN", INTERNAL_TOKEN);
        env.put("PVE_PUBLIC_DOMAIN", PUBLIC_DOMAIN);
        // Any simulator's guests are loopback addresses; env() narrows this to the shared simulator's own network.
        env.putAll(SharedSimulator.isolationEnv("127.0.0.0/8"));
        env.put("PROVISIONER_NETWORK_TIMEOUT", "10s");
        env.put("PROVISIONER_EXECD_TIMEOUT", "10s");
        env.put("PROVISIONER_POLL_MAX_INTERVAL", "50ms");
        env.put("PROVISIONER_SHUTDOWN_TIMEOUT", "5s");
        // Retries of transient PVE errors: quick against the simulator (MicroProfile Fault Tolerance keys).
        env.put("IO_SANDPLANE_PROVISIONER_CLIENT_PVECLIENT_RETRY_DELAY", "20");
        env.put("IO_SANDPLANE_PROVISIONER_CLIENT_PVECLIENT_RETRY_JITTER", "10");
        return env;
    }

    /** e.g. {@code http://127.0.0.1:41234}; the value for {@code SANDPLANE_PROVISIONER_URL}. */
    public String url() {
        return process.url();
    }

    public int port() {
        return process.port();
    }

    /** Settings for a service under test that calls the provisioner. */
    public Map<String, String> clientConfig() {
        return Map.of("SANDPLANE_PROVISIONER_URL", url(), "quarkus.rest-client.provisioner.url", url());
    }

    /** The process itself, e.g. to kill it in a fault run ({@link ServiceProcess#kill()}) and start it again. */
    public ServiceProcess process() {
        return process;
    }
}
