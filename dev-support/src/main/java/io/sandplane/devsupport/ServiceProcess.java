package io.sandplane.devsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A built Sandplane service (or the simulator) running as its own JVM process, as users run it.
 * Configuration goes in through environment variables only, like in a container. It listens on
 * 127.0.0.1 only, never on a wildcard address: on this machine sandbox guests are loopback addresses
 * too (the simulator's 127.N.x.y), and a listener on 0.0.0.0 would answer a connection to a guest's
 * address as well, letting a sandbox's URL reach the control plane. A Sandplane
 * service serves health and metrics on its management port ({@link #managementUrl()}), where its
 * readiness is probed; the simulator, which is no Sandplane service, on its own port
 * ({@link Builder#healthOnServicePort()}).
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** The one address Sandplane's own listeners use on this machine. */
    public static final String LOOPBACK = "127.0.0.1";

    private final String module;
    private final Path jar;
    private final int port;
    /** 0 when health is served on the service port. */
    private final int managementPort;
    private final Map<String, String> env;
    private final List<String> jvmOptions;
    private final String readyPath;
    private final Path logFile;
    private final Duration startTimeout;
    private final boolean https;
    private Process process;

    private ServiceProcess(Builder b) {
        this.module = b.module;
        this.jar = b.jar != null ? b.jar : ProjectLayout.serviceJar(b.module);
        this.port = b.port == 0 ? FreePorts.next() : b.port;
        this.managementPort = !b.managementInterface ? 0 : b.managementPort == 0 ? FreePorts.next() : b.managementPort;
        this.env = Map.copyOf(b.env);
        this.jvmOptions = List.copyOf(b.jvmOptions);
        this.readyPath = b.readyPath;
        this.logFile = b.logFile != null ? b.logFile
                : ProjectLayout.root().resolve(b.module).resolve("target").resolve(b.module + "-" + this.port + ".log");
        this.startTimeout = b.startTimeout;
        this.https = b.https;
    }

    public static Builder of(String module) {
        return new Builder(module);
    }

    public String module() {
        return module;
    }

    public int port() {
        return port;
    }

    public String url() {
        return (https ? "https" : "http") + "://" + LOOPBACK + ":" + port;
    }

    /** Where its health ({@code /q/health/…}) and metrics ({@code /q/metrics}) are served. */
    public String managementUrl() {
        return managementPort == 0 ? url() : "http://" + LOOPBACK + ":" + managementPort;
    }

    /** Every port it listens on: its service port, and its management port if it has one of its own. */
    public List<Integer> ports() {
        return managementPort == 0 ? List.of(port) : List.of(port, managementPort);
    }

    public Path logFile() {
        return logFile;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Starts the process and waits until its readiness endpoint (on the management port) answers 200. */
    public synchronized ServiceProcess start() {
        if (isRunning()) {
            return this;
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(jar.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        // Loopback only (see the class comment); the simulator's own default is 0.0.0.0, as a PVE host's is.
        builder.environment().put("QUARKUS_HTTP_HOST", LOOPBACK);
        if (managementPort != 0) {
            builder.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
            builder.environment().put("QUARKUS_MANAGEMENT_HOST", LOOPBACK);
        }
        builder.environment().putAll(env);
        try {
            Files.createDirectories(logFile.getParent());
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + module, e);
        }
        awaitReady();
        return this;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(managementUrl() + readyPath)).timeout(Duration.ofSeconds(2))
                .build();
        HttpClient client = https && managementPort == 0 ? ReadinessTls.client() : HTTP;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited with code " + process.exitValue() + " during start-up; "
                        + logFile + ":\n" + EmbeddedPostgres.tail(logFile));
            }
            try {
                if (client.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + module, e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + module, e);
            }
        }
        kill();
        throw new IllegalStateException(module + " was not ready within " + startTimeout + "; " + logFile + ":\n"
                + EmbeddedPostgres.tail(logFile));
    }

    /** Graceful stop (SIGTERM), as an orchestrator would. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    /** SIGKILL: the process gets no chance to clean up, like a crashed node. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    public static final class Builder {
        private final String module;
        private Path jar;
        private int port;
        private boolean managementInterface = true;
        private int managementPort;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> jvmOptions = new ArrayList<>(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"));
        private String readyPath = "/q/health/ready";
        private Path logFile;
        private Duration startTimeout = Duration.ofSeconds(90);
        private boolean https;

        private Builder(String module) {
            this.module = module;
        }

        public Builder jar(Path jar) {
            this.jar = jar;
            return this;
        }

        /** 0 (the default) picks a free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The management interface's port ({@code QUARKUS_MANAGEMENT_PORT}); 0 (the default) picks a free one. */
        public Builder managementPort(int port) {
            this.managementPort = port;
            return this;
        }

        /**
         * Health is served on the service port, not on a management interface: the simulator's case,
         * which stands in for PVE and is no Sandplane service.
         */
        public Builder healthOnServicePort() {
            this.managementInterface = false;
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public Builder env(Map<String, String> values) {
            env.putAll(values);
            return this;
        }

        public Builder jvmOptions(List<String> options) {
            jvmOptions.clear();
            jvmOptions.addAll(options);
            return this;
        }

        public Builder readyPath(String path) {
            this.readyPath = path;
            return this;
        }

        public Builder logFile(Path logFile) {
            this.logFile = logFile;
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /**
         * The service serves HTTPS on its port (e.g. the simulator with {@code SIM_TLS=true}):
         * {@link #url()} is {@code https://…} and readiness is probed without checking the
         * certificate, which the service may only just have issued.
         */
        public Builder https(boolean https) {
            this.https = https;
            return this;
        }

        /** The process, not started yet. */
        public ServiceProcess build() {
            return new ServiceProcess(this);
        }

        public ServiceProcess start() {
            return build().start();
        }
    }
}
