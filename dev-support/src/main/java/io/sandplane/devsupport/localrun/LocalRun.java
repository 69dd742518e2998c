package io.sandplane.devsupport.localrun;

import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.ProjectLayout;
import io.sandplane.devsupport.topology.Topology;
import io.sandplane.devsupport.topology.Topology.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs Sandplane on one machine without Docker: an embedded PostgreSQL (data kept in
 * {@code .sandplane/}), the PVE simulator unless {@code PVE_API_URL} points at a real PVE, and the
 * four services as separate processes on their usual ports, each logging to
 * {@code .sandplane/logs/<service>.log}. Ctrl-C stops everything; a second run reuses the data and
 * the secrets.
 *
 * <p>Everything listens on 127.0.0.1 only (see {@link Topology}). The simulator's guests get
 * addresses of {@value #GUEST_NETWORK} ({@code SIM_GUEST_NETWORK} to change it), the same on every
 * run, and the url-router forwards only there; with a real PVE, {@code PVE_IP_POOL_CIDR} must say
 * where its guests are.
 */
public final class LocalRun {

    /** Variables passed on to the services when set in the caller's environment. */
    private static final List<String> PASSED_ON = List.of("SANDPLANE_TEMPLATE_CATALOG", "SANDPLANE_PUBLIC_SCHEME",
            "QUARKUS_LOG_CONSOLE_JSON_ENABLED", "PVE_NODE", "PVE_STORAGE", "PVE_BRIDGE", "PVE_VERIFY_TLS",
            "PVE_VMID_RANGE", "EXECD_TOKEN", "SANDPLANE_CONTROL_PLANE_CIDRS", "SANDPLANE_FIREWALL",
            "SANDPLANE_FIREWALL_ROUTER_CIDRS", "SANDPLANE_FIREWALL_PROVISIONER_CIDRS", "SANDPLANE_EGRESS_ALLOWED_CIDRS",
            "PVE_IP_POOL_CIDR");
    /** The simulator's guest network, fixed so that sandboxes keep their addresses' network from one run to the next. */
    static final String GUEST_NETWORK = "127.77.0.0/16";

    private final Map<String, String> env;
    private final Path home;
    private volatile EmbeddedPostgres postgres;
    private volatile Topology topology;

    LocalRun(Map<String, String> env, Path home) {
        this.env = env;
        this.home = home;
    }

    public static void main(String[] args) throws Exception {
        LocalRun run = new LocalRun(System.getenv(), ProjectLayout.root().resolve(".sandplane"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping Sandplane …");
            run.stop();
            stopped.countDown();
        }, "sandplane-stop"));
        try {
            System.out.println(run.start().render());
        } catch (RuntimeException e) {
            System.err.println();
            System.err.println("Sandplane did not start: " + e.getMessage());
            System.exit(1);
        }
        stopped.await();
    }

    Summary start() throws IOException {
        Files.createDirectories(home.resolve("logs"));
        LocalSecrets secrets = LocalSecrets.load(home.resolve("secrets.properties"));
        String realPveUrl = blankToNull(env.get("PVE_API_URL"));
        String realPveToken = blankToNull(env.get("PVE_API_TOKEN"));
        if ((realPveUrl == null) != (realPveToken == null)) {
            throw new IllegalStateException("set both PVE_API_URL and PVE_API_TOKEN to use a real PVE, or neither for the simulator");
        }
        int pgPort = Integer.parseInt(env.getOrDefault("SANDPLANE_PG_PORT", "15432"));
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("PostgreSQL (SANDPLANE_PG_PORT)", pgPort);
        for (Service s : Service.values()) {
            if (s != Service.PVE_SIMULATOR || realPveUrl == null) {
                ports.put(s.module(), s.defaultPort());
            }
            if (s.defaultManagementPort() != 0) {
                ports.put(s.module() + " management (health, metrics)", s.defaultManagementPort());
            }
        }
        ports.put("url-router proxy", Topology.DEFAULT_PROXY_PORT);
        PortCheck.requireFree(ports);

        System.out.println("  starting PostgreSQL (data in " + home.resolve("pgdata") + ") …");
        postgres = EmbeddedPostgres.builder(home.resolve("pgdata")).port(pgPort)
                .logFile(home.resolve("logs/postgres.log")).start();

        Topology.Builder builder = Topology.builder(postgres, home.resolve("logs"))
                .fixedPorts(true)
                .secrets(secrets.internalToken(), secrets.operatorToken(), secrets.simulatorSecret())
                .publicDomain(env.getOrDefault("PVE_PUBLIC_DOMAIN", "sandplane.localhost:" + Topology.DEFAULT_PROXY_PORT))
                .jvmOptions(List.of("-Xmx384m"))
                .listener((service, replica) -> System.out.println("  starting " + service.module() + " …"));
        if (realPveUrl != null) {
            builder.realPve(realPveUrl, realPveToken);
        } else {
            builder.guestNetwork(env.getOrDefault("SIM_GUEST_NETWORK", GUEST_NETWORK));
        }
        String ipPool = blankToNull(env.get("PVE_IP_POOL_CIDR"));
        if (ipPool != null) {
            builder.ipPool(ipPool);
        }
        for (String name : PASSED_ON) {
            String value = blankToNull(env.get(name));
            if (value != null) {
                builder.env(name, value);
            }
        }
        topology = builder.start();

        String apiUrl = "http://localhost:" + Service.SANDBOX_API.defaultPort();
        System.out.println("  preparing the team and its API key …");
        String teamKey = new Bootstrap(apiUrl, secrets).teamApiKey();
        return new Summary(apiUrl, secrets.operatorToken(), teamKey, topology.publicDomain(), home, realPveUrl);
    }

    /** Stops the services (callers first), then the database. */
    void stop() {
        Topology t = topology;
        if (t != null) {
            t.close();
        }
        EmbeddedPostgres pg = postgres;
        if (pg != null) {
            pg.stop();
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
