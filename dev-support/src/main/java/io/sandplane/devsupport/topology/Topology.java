package io.sandplane.devsupport.topology;

import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.FreePorts;
import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.simulator.SimulatorControl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sandplane as users run it: the PVE simulator (or a real PVE), then provisioner, url-router,
 * reaper and sandbox-api, each replica its own process from its built jar, configured only through
 * environment variables, over one PostgreSQL. Used by the local run, the end-to-end suite and the
 * benchmarks. Replica {@code i} of a caller talks to replica {@code i mod n} of what it calls, so
 * several replicas need no load balancer.
 *
 * <p>Every listener of the topology is on 127.0.0.1 ({@link ServiceProcess}, the proxy, PostgreSQL),
 * never on a wildcard address: the simulator's guests are loopback addresses of its guest network
 * (127.N.0.0/16), which a wildcard listener would answer too. The guest network is chosen here, not
 * by the simulator, because the url-router must be told it: it is the router's sandbox network
 * ({@code PVE_IP_POOL_CIDR}), outside which it forwards nothing.
 */
public final class Topology implements AutoCloseable {

    /**
     * The processes of a topology, in start order, with their usual ports: the API (or internal API)
     * port, and the management port (health, metrics) 1000 above it. The simulator has no
     * management interface.
     */
    public enum Service {
        PVE_SIMULATOR("pve-simulator", 8006, 0),
        PROVISIONER("provisioner", 8081, 9081),
        URL_ROUTER("url-router", 8083, 9083),
        REAPER("reaper", 8082, 9082),
        SANDBOX_API("sandbox-api", 8080, 9080);

        private final String module;
        private final int defaultPort;
        private final int defaultManagementPort;

        Service(String module, int defaultPort, int defaultManagementPort) {
            this.module = module;
            this.defaultPort = defaultPort;
            this.defaultManagementPort = defaultManagementPort;
        }

        /** 0 for the simulator, whose health is on its service port. */
        public int defaultManagementPort() {
            return defaultManagementPort;
        }

        public String module() {
            return module;
        }

        public int defaultPort() {
            return defaultPort;
        }
    }

    public static final int DEFAULT_PROXY_PORT = 8088;
    public static final String SIMULATOR_TOKEN_ID = "root@pam!sandplane";

    private final Builder config;
    private final EnumMap<Service, List<ServiceProcess>> processes = new EnumMap<>(Service.class);
    private final List<Integer> proxyPorts = new ArrayList<>();
    private final String pveUrl;
    private final String pveToken;
    private final String publicDomain;
    private final String guestNetwork;
    private final String ipPool;

    private Topology(Builder config) {
        this.config = config;
        boolean simulated = config.realPveUrl == null;
        this.guestNetwork = simulated ? Objects.requireNonNullElseGet(config.guestNetwork, Topology::randomGuestNetwork) : null;
        this.ipPool = config.ipPool != null ? config.ipPool : guestNetwork;
        if (ipPool == null) {
            throw new IllegalStateException("a real PVE needs PVE_IP_POOL_CIDR: the CIDRs its sandbox guests get addresses"
                    + " from (the subnet or DHCP range of the bridge they use, e.g. 10.10.0.0/24); the url-router forwards"
                    + " nowhere else");
        }
        int simulatorPort = port(Service.PVE_SIMULATOR, 0);
        this.pveUrl = simulated ? "http://127.0.0.1:" + simulatorPort + "/api2/json" : config.realPveUrl;
        this.pveToken = simulated ? SIMULATOR_TOKEN_ID + "=" + config.simulatorSecret : config.realPveToken;
        for (int i = 0; i < config.replicas.getOrDefault(Service.URL_ROUTER, 1); i++) {
            proxyPorts.add(config.fixedPorts ? DEFAULT_PROXY_PORT + i : FreePorts.next());
        }
        this.publicDomain = config.publicDomain != null ? config.publicDomain : "sandplane.localhost:" + proxyPorts.getFirst();
        if (simulated) {
            processes.put(Service.PVE_SIMULATOR, new ArrayList<>(List.of(process(Service.PVE_SIMULATOR, 0, simulatorPort))));
        }
    }

    public static Builder builder(EmbeddedPostgres postgres, Path logDirectory) {
        return new Builder(postgres, logDirectory);
    }

    /** Starts whatever is not running yet, in dependency order, each replica ready before the next. */
    public Topology start() {
        try {
            for (Service service : Service.values()) {
                if (service == Service.PVE_SIMULATOR && config.realPveUrl != null) {
                    continue;
                }
                List<ServiceProcess> replicas = processes.computeIfAbsent(service, s -> new ArrayList<>());
                int wanted = service == Service.PVE_SIMULATOR ? 1 : config.replicas.getOrDefault(service, 1);
                for (int i = 0; i < wanted; i++) {
                    if (replicas.size() <= i) {
                        replicas.add(process(service, i, port(service, i)));
                    }
                    config.listener.starting(service, i);
                    replicas.get(i).start();
                }
            }
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private ServiceProcess process(Service service, int replica, int port) {
        String name = replicaCount(service) > 1 ? service.module() + "-" + (replica + 1) : service.module();
        ServiceProcess.Builder process = ServiceProcess.of(service.module())
                .port(port)
                .env(environment(service, replica))
                .jvmOptions(config.jvmOptions)
                .logFile(config.logDirectory.resolve(name + ".log"))
                .startTimeout(config.startTimeout);
        if (service == Service.PVE_SIMULATOR) {
            process.healthOnServicePort();
        } else if (config.fixedPorts) {
            process.managementPort(service.defaultManagementPort() + 10 * replica);
        }
        return process.build();
    }

    private Map<String, String> environment(Service service, int replica) {
        Map<String, String> env = new LinkedHashMap<>();
        if (service == Service.PVE_SIMULATOR) {
            env.put("SIM_TOKENS", pveToken);
            env.put("SIM_GUEST_NETWORK", guestNetwork);
        } else {
            env.put("QUARKUS_DATASOURCE_JDBC_URL", config.postgres.jdbcUrl());
            env.put("QUARKUS_DATASOURCE_USERNAME", EmbeddedPostgres.USER);
            env.put("QUARKUS_DATASOURCE_PASSWORD", "unused");
            env.put("SANDPLANE_INTERNAL_TOKEN", config.internalToken);
            env.put("PVE_PUBLIC_DOMAIN", publicDomain);
            env.put("SANDPLANE_PROVISIONER_URL", url(Service.PROVISIONER, replica));
            env.put("SANDPLANE_URL_ROUTER_URL", url(Service.URL_ROUTER, replica));
            env.putAll(config.commonEnv);
        }
        switch (service) {
            case PROVISIONER -> {
                env.put("PVE_API_URL", pveUrl);
                env.put("PVE_API_TOKEN", pveToken);
                // The guests' network is the router's sandbox network. Against the simulator, Sandplane connects to
                // guests from 127.0.0.1; against a real PVE the operator says from where. Settings given are kept.
                env.putIfAbsent("PVE_IP_POOL_CIDR", ipPool);
                if (config.realPveUrl == null) {
                    SharedSimulator.isolationEnv(ipPool).forEach(env::putIfAbsent);
                }
            }
            case URL_ROUTER -> {
                env.put("SANDPLANE_PROXY_PORT", Integer.toString(proxyPorts.get(replica)));
                env.put("SANDPLANE_PROXY_HOST", ServiceProcess.LOOPBACK);
                env.put("PVE_IP_POOL_CIDR", ipPool);
            }
            case SANDBOX_API -> {
                env.put("SANDPLANE_OPERATOR_TOKEN", config.operatorToken);
                env.put("SANDPLANE_API_PUBLIC_URL", "http://127.0.0.1:" + port(Service.SANDBOX_API, replica));
            }
            case PVE_SIMULATOR, REAPER -> {
            }
        }
        env.putAll(config.serviceEnv.getOrDefault(service, Map.of()));
        return env;
    }

    private final Map<String, Integer> ports = new LinkedHashMap<>();

    private int port(Service service, int replica) {
        return ports.computeIfAbsent(service + "#" + replica,
                k -> config.fixedPorts ? service.defaultPort() + 10 * replica : FreePorts.next());
    }

    private String url(Service service, int callerReplica) {
        int n = replicaCount(service);
        return "http://127.0.0.1:" + port(service, callerReplica % n);
    }

    private int replicaCount(Service service) {
        return service == Service.PVE_SIMULATOR ? 1 : config.replicas.getOrDefault(service, 1);
    }

    /** The replicas of a service, e.g. to kill one ({@link ServiceProcess#kill()}) and start it again. */
    public List<ServiceProcess> processes(Service service) {
        return Collections.unmodifiableList(processes.getOrDefault(service, List.of()));
    }

    public ServiceProcess process(Service service, int replica) {
        return processes(service).get(replica);
    }

    public String apiUrl() {
        return process(Service.SANDBOX_API, 0).url();
    }

    /** Where to connect for proxy requests of router replica {@code i}; send a Host under {@link #publicDomain()}. */
    public String proxyUrl(int replica) {
        return "http://" + ServiceProcess.LOOPBACK + ":" + proxyPorts.get(replica);
    }

    /**
     * Every listener of the topology by what it is ({@code provisioner}, {@code provisioner management},
     * {@code url-router proxy}, {@code PostgreSQL}, …; replicas numbered), with its port: all on 127.0.0.1.
     */
    public Map<String, Integer> listeners() {
        Map<String, Integer> listeners = new LinkedHashMap<>();
        listeners.put("PostgreSQL", config.postgres.port());
        processes.forEach((service, replicas) -> {
            for (int i = 0; i < replicas.size(); i++) {
                String name = replicas.size() > 1 ? service.module() + " #" + (i + 1) : service.module();
                List<Integer> ports = replicas.get(i).ports();
                listeners.put(name, ports.getFirst());
                if (ports.size() > 1) {
                    listeners.put(name + " management", ports.get(1));
                }
            }
        });
        for (int i = 0; i < proxyPorts.size(); i++) {
            listeners.put(proxyPorts.size() > 1 ? "url-router proxy #" + (i + 1) : "url-router proxy", proxyPorts.get(i));
        }
        return listeners;
    }

    /** The simulator's guest network ({@code SIM_GUEST_NETWORK}), e.g. {@code 127.42.0.0/16}; empty against a real PVE. */
    public Optional<String> guestNetwork() {
        return Optional.ofNullable(guestNetwork);
    }

    /** The url-router's sandbox network ({@code PVE_IP_POOL_CIDR}): the guest network, unless told otherwise. */
    public String ipPool() {
        return ipPool;
    }

    public String proxyUrl() {
        return proxyUrl(0);
    }

    public String publicDomain() {
        return publicDomain;
    }

    public String internalToken() {
        return config.internalToken;
    }

    public String operatorToken() {
        return config.operatorToken;
    }

    public String pveUrl() {
        return pveUrl;
    }

    public String pveToken() {
        return pveToken;
    }

    public boolean simulated() {
        return config.realPveUrl == null;
    }

    /** Operator controls of the simulator (faults, latencies, recorded calls). */
    public SimulatorControl simulator() {
        if (!simulated()) {
            throw new IllegalStateException("this topology runs against a real PVE");
        }
        return new SimulatorControl(process(Service.PVE_SIMULATOR, 0).url(), pveToken);
    }

    public EmbeddedPostgres postgres() {
        return config.postgres;
    }

    /** Stops every process, callers before what they call. The database is the caller's. */
    @Override
    public void close() {
        List<Service> order = new ArrayList<>(List.of(Service.values()));
        Collections.reverse(order);
        for (Service service : order) {
            for (ServiceProcess p : processes.getOrDefault(service, List.of())) {
                try {
                    p.stop();
                } catch (RuntimeException e) {
                    System.err.println("while stopping " + service.module() + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * A guest network of its own for a simulator: 127.N.0.0/16 with N random, as the simulator picks when not told,
     * so that topologies running at once on one machine (other worktrees, CI) rarely share one.
     */
    static String randomGuestNetwork() {
        return "127." + (2 + ThreadLocalRandom.current().nextInt(250)) + ".0.0/16";
    }

    /** Told before each process starts, e.g. to print progress. */
    @FunctionalInterface
    public interface Listener {
        void starting(Service service, int replica);
    }

    public static final class Builder {
        private final EmbeddedPostgres postgres;
        private final Path logDirectory;
        private boolean fixedPorts;
        private String realPveUrl;
        private String realPveToken;
        private String publicDomain;
        private String guestNetwork;
        private String ipPool;
        private String internalToken = "topology-internal-token-not-secret";
        private String operatorToken = "topology-operator-token";
        private String simulatorSecret = "topology-simulator-secret";
        private final Map<Service, Integer> replicas = new EnumMap<>(Service.class);
        private final Map<String, String> commonEnv = new LinkedHashMap<>();
        private final Map<Service, Map<String, String>> serviceEnv = new EnumMap<>(Service.class);
        private List<String> jvmOptions = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");
        private Duration startTimeout = Duration.ofSeconds(120);
        private Listener listener = (s, i) -> { };

        private Builder(EmbeddedPostgres postgres, Path logDirectory) {
            this.postgres = Objects.requireNonNull(postgres);
            this.logDirectory = logDirectory;
            try {
                Files.createDirectories(logDirectory);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The usual ports (8080-8083, management 9080-9083, proxy 8088, simulator 8006) instead of free random ones. */
        public Builder fixedPorts(boolean fixed) {
            this.fixedPorts = fixed;
            return this;
        }

        /** A real Proxmox VE instead of the simulator. */
        public Builder realPve(String apiUrl, String apiToken) {
            this.realPveUrl = apiUrl;
            this.realPveToken = apiToken;
            return this;
        }

        /** {@code PVE_PUBLIC_DOMAIN}; default {@code sandplane.localhost:<first proxy port>}. */
        public Builder publicDomain(String domain) {
            this.publicDomain = domain;
            return this;
        }

        /** The simulator's guest network ({@code SIM_GUEST_NETWORK}, 127.x.y.z/8–28); default a random 127.N.0.0/16. */
        public Builder guestNetwork(String network) {
            this.guestNetwork = network;
            return this;
        }

        /**
         * The url-router's sandbox network ({@code PVE_IP_POOL_CIDR}, comma-separated CIDRs): by default the simulator's
         * guest network; required with a real PVE.
         */
        public Builder ipPool(String cidrs) {
            this.ipPool = cidrs;
            return this;
        }

        public Builder secrets(String internalToken, String operatorToken, String simulatorSecret) {
            this.internalToken = internalToken;
            this.operatorToken = operatorToken;
            this.simulatorSecret = simulatorSecret;
            return this;
        }

        public Builder replicas(Service service, int count) {
            if (service == Service.PVE_SIMULATOR || count < 1) {
                throw new IllegalArgumentException("replicas of " + service + ": " + count);
            }
            replicas.put(service, count);
            return this;
        }

        /** An environment variable for every Sandplane service. */
        public Builder env(String name, String value) {
            commonEnv.put(name, value);
            return this;
        }

        /** An environment variable for one service (all its replicas). */
        public Builder env(Service service, String name, String value) {
            serviceEnv.computeIfAbsent(service, s -> new LinkedHashMap<>()).put(name, value);
            return this;
        }

        public Builder jvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public Builder listener(Listener listener) {
            this.listener = listener;
            return this;
        }

        /** Builds the topology without starting it. */
        public Topology build() {
            return new Topology(this);
        }

        public Topology start() {
            return build().start();
        }
    }
}
