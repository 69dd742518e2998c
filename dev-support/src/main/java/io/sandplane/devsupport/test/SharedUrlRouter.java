package io.sandplane.devsupport.test;

import io.sandplane.devsupport.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One url-router per test JVM, run from its built jar ({@code url-router/target/quarkus-app}) as
 * its own process over the shared PostgreSQL, started on first use and stopped when the JVM exits.
 * It serves its internal API on {@link #internalUrl()} and the proxy on {@link #proxyUrl()}, for
 * the public domain {@code sandplane.localhost:<proxy port>}: connect to the proxy URL and send
 * {@link #publicHost(int, int)} as the Host header.
 */
public final class SharedUrlRouter {

    /** The internal token every shared test service uses (the same as the services' %test profile). */
    public static final String INTERNAL_TOKEN = "test-internal-token-not-secret";

    private static SharedUrlRouter instance;

    private final ServiceProcess process;
    private final int proxyPort;

    private SharedUrlRouter(ServiceProcess process, int proxyPort) {
        this.process = process;
        this.proxyPort = proxyPort;
    }

    public static synchronized SharedUrlRouter get() {
        if (instance == null) {
            int proxyPort = freePort();
            Map<String, String> env = new LinkedHashMap<>(SharedPostgres.datasourceEnv());
            env.put("SANDPLANE_INTERNAL_TOKEN", INTERNAL_TOKEN);
            env.put("SANDPLANE_PROXY_PORT", Integer.toString(proxyPort));
            env.put("SANDPLANE_PROXY_HOST", "127.0.0.1");
            env.put("PVE_PUBLIC_DOMAIN", "sandplane.localhost:" + proxyPort);
            env.put("SANDPLANE_PROVISIONER_URL", System.getProperty("sandplane.test.provisioner-url", "http://127.0.0.1:8081"));
            ServiceProcess process = ServiceProcess.of("url-router").env(env).start();
            instance = new SharedUrlRouter(process, proxyPort);
            Runtime.getRuntime().addShutdownHook(new Thread(process::stop, "stop-url-router"));
        }
        return instance;
    }

    /** Base URL of the internal API, health and metrics. */
    public String internalUrl() {
        return process.url();
    }

    /** Where to connect for proxy requests (send the Host header from {@link #publicHost}). */
    public String proxyUrl() {
        return "http://127.0.0.1:" + proxyPort;
    }

    public int proxyPort() {
        return proxyPort;
    }

    /** The value of {@code PVE_PUBLIC_DOMAIN} the router runs with. */
    public String publicDomain() {
        return "sandplane.localhost:" + proxyPort;
    }

    /** The Host header naming a sandbox's port: {@code port-{port}-vm-{vmid}.sandplane.localhost:<proxy port>}. */
    public String publicHost(int vmid, int port) {
        return "port-" + port + "-vm-" + vmid + "." + publicDomain();
    }

    public ServiceProcess process() {
        return process;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the url-router's proxy", e);
        }
    }
}
