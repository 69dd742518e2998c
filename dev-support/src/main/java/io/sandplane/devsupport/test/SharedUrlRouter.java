package io.sandplane.devsupport.test;

import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.provisioner.SharedProvisioner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One url-router per test JVM, run from its built jar ({@code url-router/target/quarkus-app}) as
 * its own process over the shared PostgreSQL, started on first use and stopped when the JVM exits.
 * It serves its internal API on {@link #internalUrl()}, health and metrics on {@link #managementUrl()}
 * and the proxy on {@link #proxyUrl()}, for the shared provisioner's public domain
 * ({@code sandplane.localhost:8088}, whatever port the proxy really listens on): connect to the
 * proxy URL and send {@link #publicHost(int, int)} (or the host of a stored service URL) as the
 * Host header. Wake-on-HTTP goes to {@link SharedProvisioner}.
 */
public final class SharedUrlRouter {

    /** The internal token every shared test service uses (the same as the services' %test profile). */
    public static final String INTERNAL_TOKEN = "test-internal-token-not-secret";
    /**
     * {@code PVE_IP_POOL_CIDR} of test routers (and of url-router's %test profile): test guests live on loopback
     * networks 127.X.0.0/16 with X random, the shared simulator's (X of 2–251) and the url-router suite's own
     * (EchoGuest, X of 20–219), so the pool is all of 127.0.0.0/8 …
     */
    public static final String IP_POOL = "127.0.0.0/8";
    /** … less {@code SANDPLANE_CONTROL_PLANE_CIDRS} 127.0.0.0/16, where the tests' own listeners are (127.0.0.1). */
    public static final String CONTROL_PLANE = "127.0.0.0/16";

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern PROXY_PORT = Pattern.compile("\"port\"\\s*:\\s*(\\d+)");
    private static SharedUrlRouter instance;

    private final ServiceProcess process;
    private final int proxyPort;

    private SharedUrlRouter(ServiceProcess process, int proxyPort) {
        this.process = process;
        this.proxyPort = proxyPort;
    }

    public static synchronized SharedUrlRouter get() {
        if (instance == null) {
            Map<String, String> env = new LinkedHashMap<>(SharedPostgres.datasourceEnv());
            env.put("SANDPLANE_INTERNAL_TOKEN", INTERNAL_TOKEN);
            // The router binds a port the kernel picks and reports it (see proxyPort(ServiceProcess)).
            env.put("SANDPLANE_PROXY_PORT", "0");
            env.put("SANDPLANE_PROXY_HOST", "127.0.0.1");
            // The provisioner's domain, so the URLs it stores are the ones this router serves; clients
            // connect to proxyUrl() and send that Host.
            env.put("PVE_PUBLIC_DOMAIN", SharedProvisioner.PUBLIC_DOMAIN);
            env.put("SANDPLANE_PROVISIONER_URL", SharedProvisioner.get().url());
            env.put("PVE_IP_POOL_CIDR", IP_POOL);
            env.put("SANDPLANE_CONTROL_PLANE_CIDRS", CONTROL_PLANE);
            ServiceProcess process = ServiceProcess.of("url-router").env(env).start();
            instance = new SharedUrlRouter(process, proxyPort(process));
            Runtime.getRuntime().addShutdownHook(new Thread(process::stop, "stop-url-router"));
        }
        return instance;
    }

    /** Base URL of the internal API. */
    public String internalUrl() {
        return process.url();
    }

    /** Base URL of health and metrics (the management interface). */
    public String managementUrl() {
        return process.managementUrl();
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
        return SharedProvisioner.PUBLIC_DOMAIN;
    }

    /** The Host header naming a sandbox's port: {@code port-{port}-vm-{vmid}.sandplane.localhost:8088}. */
    public String publicHost(int vmid, int port) {
        return "port-" + port + "-vm-" + vmid + "." + publicDomain();
    }

    public ServiceProcess process() {
        return process;
    }

    /**
     * The port a running url-router's proxy listens on, as its readiness check reports it: start
     * routers with {@code SANDPLANE_PROXY_PORT=0}, so no test picks a port that another build takes
     * before the router binds it.
     */
    public static int proxyPort(ServiceProcess router) {
        try {
            HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create(router.managementUrl() + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher port = PROXY_PORT.matcher(ready.body());
            if (!port.find()) {
                throw new IllegalStateException("the url-router's readiness does not name its proxy port: " + ready.body());
            }
            return Integer.parseInt(port.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the url-router's readiness", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
