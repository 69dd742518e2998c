package io.sandplane.devsupport.simulator;

import io.sandplane.devsupport.ServiceProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * One pve-simulator per test JVM, started from its built jar on first use and stopped when the JVM
 * exits. It runs the default scenario (nodes pve1-pve3, the catalog's template copies) with a known
 * API token. Tests that change it (faults, latencies, scenario) should {@code control().reset()}
 * first; failed authentication is answered without PVE's 3 s delay.
 *
 * <p>{@link #getHttps()} is a second one that serves HTTPS, like a real PVE host, with a
 * self-signed certificate it issues at start ({@code SIM_TLS=true}); it is only started when a test
 * asks for it. Its {@link #certificateFile()} and {@link #sslContext()} let a client verify it.
 */
public final class SharedSimulator {

    public static final String TOKEN_ID = "root@pam!sandplane";
    public static final String TOKEN_SECRET = "sandplane-test-secret";
    /** The value for {@code PVE_API_TOKEN}. */
    public static final String TOKEN = TOKEN_ID + "=" + TOKEN_SECRET;

    private static SharedSimulator instance;
    private static SharedSimulator httpsInstance;

    private final ServiceProcess process;
    private final SimulatorControl control;
    private final Path certificateFile;
    private final SSLContext sslContext;

    private SharedSimulator(ServiceProcess process, Path certificateFile, SSLContext sslContext) {
        this.process = process;
        this.certificateFile = certificateFile;
        this.sslContext = sslContext;
        this.control = sslContext == null ? new SimulatorControl(process.url(), TOKEN)
                : new SimulatorControl(process.url(), TOKEN, sslContext);
    }

    public static synchronized SharedSimulator get() {
        if (instance == null) {
            ServiceProcess p = ServiceProcess.of("pve-simulator").healthOnServicePort()
                    .env("SIM_TOKENS", TOKEN)
                    .env("SIM_LATENCY_AUTH_FAILURE", "0ms")
                    .start();
            instance = new SharedSimulator(p, null, null);
            Runtime.getRuntime().addShutdownHook(new Thread(p::stop, "stop-pve-simulator"));
        }
        return instance;
    }

    /**
     * The JVM's HTTPS simulator (started on first use): the same scenario and token as {@link #get()},
     * on {@code https://127.0.0.1:<port>} with a self-signed certificate for localhost, 127.0.0.1 and ::1.
     */
    public static synchronized SharedSimulator getHttps() {
        if (httpsInstance == null) {
            Path certificate;
            try {
                certificate = Files.createTempFile("pve-simulator-", ".pem");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a file for the simulator's certificate", e);
            }
            ServiceProcess p = ServiceProcess.of("pve-simulator").healthOnServicePort().https(true)
                    .env("SIM_TOKENS", TOKEN)
                    .env("SIM_LATENCY_AUTH_FAILURE", "0ms")
                    .env("SIM_TLS", "true")
                    .env("SIM_TLS_CERTIFICATE_FILE", certificate.toString())
                    .start();
            httpsInstance = new SharedSimulator(p, certificate, trusting(certificate));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                p.stop();
                certificate.toFile().delete();
            }, "stop-pve-simulator-https"));
        }
        return httpsInstance;
    }

    /** An SSL context that trusts exactly the certificate in a PEM file (and nothing else). */
    public static SSLContext trusting(Path pemFile) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("pve-simulator", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the certificate " + pemFile, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust the certificate " + pemFile, e);
        }
    }

    /** Whether this simulator serves HTTPS ({@link #getHttps()}). */
    public boolean https() {
        return certificateFile != null;
    }

    /** The HTTPS simulator's self-signed certificate (PEM); empty for the plain one. */
    public Optional<Path> certificateFile() {
        return Optional.ofNullable(certificateFile);
    }

    /** An SSL context trusting only the HTTPS simulator's certificate; empty for the plain one. */
    public Optional<SSLContext> sslContext() {
        return Optional.ofNullable(sslContext);
    }

    /** The simulator's root, e.g. {@code http://127.0.0.1:41234} ({@code https://…} for {@link #getHttps()}). */
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

    /**
     * The firewall settings of a provisioner on this machine ({@code SANDPLANE_FIREWALL} enforced): Sandplane's
     * processes and the tests connect to guests from 127.0.0.1, and the guests are on {@code guestNetwork}.
     */
    public static Map<String, String> isolationEnv(String guestNetwork) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SANDPLANE_FIREWALL_ROUTER_CIDRS", "127.0.0.1/32");
        env.put("SANDPLANE_FIREWALL_PROVISIONER_CIDRS", "127.0.0.1/32");
        env.put("PVE_IP_POOL_CIDR", guestNetwork);
        return env;
    }

    /**
     * Environment for a service process that talks to this simulator. {@code PVE_VERIFY_TLS} is
     * false: the HTTPS simulator's certificate is self-signed (verifying needs {@link #certificateFile()}).
     */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PVE_API_URL", apiUrl());
        env.put("PVE_API_TOKEN", TOKEN);
        env.put("PVE_VERIFY_TLS", "false");
        return env;
    }
}
