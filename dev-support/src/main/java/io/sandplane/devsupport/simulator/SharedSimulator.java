package io.sandplane.devsupport.simulator;

import io.sandplane.devsupport.ServiceProcess;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One pve-simulator per test JVM, started from its built jar on first use and stopped when the JVM
 * exits. It runs the default scenario (nodes pve1-pve3, the catalog's template copies) with a known
 * API token. Tests that change it (faults, latencies, scenario) should {@code control().reset()}
 * first; failed authentication is answered without PVE's 3 s delay.
 */
public final class SharedSimulator {

    public static final String TOKEN_ID = "root@pam!sandplane";
    public static final String TOKEN_SECRET = "sandplane-test-secret";
    /** The value for {@code PVE_API_TOKEN}. */
    public static final String TOKEN = TOKEN_ID + "=" + TOKEN_SECRET;

    private static SharedSimulator instance;

    private final ServiceProcess process;
    private final SimulatorControl control;

    private SharedSimulator(ServiceProcess process) {
        this.process = process;
        this.control = new SimulatorControl(process.url(), TOKEN);
    }

    public static synchronized SharedSimulator get() {
        if (instance == null) {
            ServiceProcess p = ServiceProcess.of("pve-simulator")
                    .env("SIM_TOKENS", TOKEN)
                    .env("SIM_LATENCY_AUTH_FAILURE", "0ms")
                    .start();
            instance = new SharedSimulator(p);
            Runtime.getRuntime().addShutdownHook(new Thread(p::stop, "stop-pve-simulator"));
        }
        return instance;
    }

    /** The simulator's root, e.g. {@code http://127.0.0.1:41234}. */
    public String baseUrl() {
        return process.url();
    }

    /** The value for {@code PVE_API_URL}: {@code …/api2/json}. */
    public String apiUrl() {
        return process.url() + "/api2/json";
    }

    /** The value for {@code PVE_API_TOKEN}: {@code user@realm!tokenid=secret}. */
    public String token() {
        return TOKEN;
    }

    public int port() {
        return process.port();
    }

    public SimulatorControl control() {
        return control;
    }

    /** Environment for a service process that talks to this simulator. */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PVE_API_URL", apiUrl());
        env.put("PVE_API_TOKEN", TOKEN);
        env.put("PVE_VERIFY_TLS", "false");
        return env;
    }
}
