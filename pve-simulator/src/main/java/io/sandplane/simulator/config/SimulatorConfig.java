package io.sandplane.simulator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything the simulator reads from its environment ({@code SIM_*} variables). */
@ConfigMapping(prefix = "sim")
public interface SimulatorConfig {

    /** API tokens accepted, each {@code user@realm!tokenid=secret} ({@code SIM_TOKENS}, comma-separated). */
    @WithDefault("root@pam!sandplane=sandplane-simulator-secret")
    List<String> tokens();

    /** A scenario JSON file replacing the bundled default ({@code SIM_SCENARIO}). */
    Optional<Path> scenario();

    /** {@code modern} (message in the body too, PVE 8.4+) or {@code legacy} (reason phrase only). */
    @WithDefault("modern")
    String errorStyle();

    /** The guests' loopback network, e.g. {@code 127.42.0.0/16}; unset picks a random 127.N.0.0/16. */
    Optional<String> guestNetwork();

    /** Serve the API port over HTTPS with a self-signed certificate issued at start ({@code SIM_TLS}). */
    @WithDefault("false")
    boolean tls();

    /** Names and addresses the certificate is valid for besides localhost, 127.0.0.1, ::1 ({@code SIM_TLS_HOSTNAMES}). */
    Optional<List<String>> tlsHostnames();

    /** Where to write the certificate (PEM, no key) for clients to trust ({@code SIM_TLS_CERTIFICATE_FILE}). */
    Optional<Path> tlsCertificateFile();

    /** Where guests' working directories live; unset uses a fresh temporary directory. */
    Optional<Path> dataDir();

    /** Operation latencies ({@code SIM_LATENCY_CLONE=300ms} …). */
    Latency latency();

    Exec exec();

    interface Latency {
        @WithDefault("300ms")
        Duration clone();

        @WithDefault("500ms")
        Duration create();

        @WithDefault("200ms")
        Duration start();

        @WithDefault("100ms")
        Duration stop();

        @WithDefault("200ms")
        Duration shutdown();

        @WithDefault("300ms")
        Duration reboot();

        @WithDefault("200ms")
        Duration suspend();

        @WithDefault("200ms")
        Duration resume();

        @WithDefault("200ms")
        Duration destroy();

        @WithDefault("300ms")
        Duration template();

        @WithDefault("200ms")
        Duration snapshot();

        @WithDefault("200ms")
        Duration rollback();

        @WithDefault("100ms")
        Duration config();

        /** Added to every API call before it is answered. */
        @WithDefault("0ms")
        Duration api();

        /** PVE answers a failed authentication only after about three seconds. */
        @WithDefault("3s")
        Duration authFailure();
    }

    interface Exec {
        /** Event bytes sent per exec (stdout and stderr lines together); later lines are dropped. */
        @WithDefault("4194304")
        int maxOutputBytes();

        /** Upper bound for a command's run time, also when it asks for none. */
        @WithDefault("10m")
        Duration maxTimeout();
    }
}
