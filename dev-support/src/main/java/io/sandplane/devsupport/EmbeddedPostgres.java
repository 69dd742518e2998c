package io.sandplane.devsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server from zonky's binaries on Maven Central: no Docker, no installed server.
 *
 * <p>PostgreSQL refuses to run as root, and these machines run everything as root. When the JVM is
 * root, the server runs in a fresh user namespace ({@code unshare -U}: inside it the process is
 * not root, outside its files stay root's), or, where user namespaces are not allowed, as
 * {@code nobody} through {@code setpriv} with the data directory handed to that user.
 *
 * <p>The data directory is initialised once and reused, so a second start keeps the data.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    public static final String USER = "postgres";

    private final Path dataDirectory;
    private final Path logFile;
    private final int port;
    private final String database;
    private final Map<String, String> settings;
    private final Duration startTimeout;
    private Process server;

    private EmbeddedPostgres(Builder builder, int port) {
        this.dataDirectory = builder.dataDirectory.toAbsolutePath();
        this.logFile = builder.logFile != null ? builder.logFile.toAbsolutePath()
                : dataDirectory.resolveSibling(dataDirectory.getFileName() + ".log");
        this.port = port;
        this.database = builder.database;
        this.settings = Map.copyOf(builder.settings);
        this.startTimeout = builder.startTimeout;
    }

    public static Builder builder(Path dataDirectory) {
        return new Builder(dataDirectory);
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    public String jdbcUrl() {
        return jdbcUrl(database);
    }

    public String jdbcUrl(String db) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
    }

    public Path logFile() {
        return logFile;
    }

    public synchronized boolean isRunning() {
        return server != null && server.isAlive();
    }

    /** Starts the server (again, after {@link #stop()}), waiting until it accepts connections. */
    public synchronized EmbeddedPostgres start() {
        if (isRunning()) {
            return this;
        }
        if (!portIsFree(port)) {
            throw new IllegalStateException("cannot start PostgreSQL: port " + port + " on 127.0.0.1 is taken");
        }
        Path binaries = PostgresBinaries.extracted();
        RunAs runAs = RunAs.detect();
        try {
            Files.createDirectories(dataDirectory.getParent());
            if (!Files.exists(dataDirectory.resolve("PG_VERSION"))) {
                initdb(binaries, runAs);
            }
            List<String> command = new ArrayList<>(runAs.prefix());
            command.addAll(List.of(binaries.resolve("bin/postgres").toString(), "-D", dataDirectory.toString(),
                    "-p", Integer.toString(port), "-h", "127.0.0.1", "-c", "unix_socket_directories="));
            settings.forEach((k, v) -> command.addAll(List.of("-c", k + "=" + v)));
            server = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL in " + dataDirectory, e);
        }
        awaitConnections();
        createDatabase();
        return this;
    }

    /** Fast shutdown (SIGINT: open sessions are rolled back), waiting for the server to exit. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            if (server.isAlive()) {
                new ProcessBuilder("kill", "-INT", Long.toString(server.pid())).start().waitFor(5, TimeUnit.SECONDS);
                if (!server.waitFor(30, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (IOException e) {
            server.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.destroyForcibly();
        } finally {
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void initdb(Path binaries, RunAs runAs) throws IOException {
        Path staging = dataDirectory.resolveSibling(dataDirectory.getFileName() + ".init");
        deleteRecursively(staging);
        Files.createDirectories(staging);
        runAs.handOver(staging);
        List<String> command = new ArrayList<>(runAs.prefix());
        command.addAll(List.of(binaries.resolve("bin/initdb").toString(), "-A", "trust", "-U", USER,
                "-D", staging.toString(), "-E", "UTF8", "--no-locale", "--no-sync"));
        Process initdb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        try {
            if (!initdb.waitFor(2, TimeUnit.MINUTES) || initdb.exitValue() != 0) {
                initdb.destroyForcibly();
                throw new IllegalStateException("initdb failed for " + dataDirectory + "; see " + logFile + ":\n" + tail(logFile));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while initialising " + dataDirectory, e);
        }
        // Renamed only when complete, so a crash during initdb never leaves a half-made data directory.
        Files.move(staging, dataDirectory);
    }

    private void awaitConnections() {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("PostgreSQL exited with code " + server.exitValue() + " (port " + port
                        + " taken?); see " + logFile + ":\n" + tail(logFile));
            }
            try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
                    var rs = c.createStatement().executeQuery("show data_directory")) {
                rs.next();
                if (!Path.of(rs.getString(1)).equals(dataDirectory)) {
                    throw new IllegalStateException("another PostgreSQL (data in " + rs.getString(1) + ") answers on port " + port);
                }
                return;
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for PostgreSQL", e);
            }
        }
        stop();
        throw new IllegalStateException("PostgreSQL did not accept connections within " + startTimeout + ": "
                + (last == null ? "" : last.getMessage()) + "; see " + logFile);
    }

    private void createDatabase() {
        if (database.equals("postgres")) {
            return;
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
                var check = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            check.setString(1, database);
            if (!check.executeQuery().next()) {
                try (var create = c.createStatement()) {
                    create.execute("create database \"" + database + "\"");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + database + ": " + e.getMessage(), e);
        }
    }

    static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static final class Builder {
        private final Path dataDirectory;
        private Path logFile;
        private int port;
        private String database = "sandplane";
        // 127.0.0.1 only (also what -h says): the local run's and the tests' guests are loopback addresses too, and
        // a server on a wildcard address would take their connections (see ServiceProcess).
        private final Map<String, String> settings = new LinkedHashMap<>(Map.of(
                "max_connections", "300",
                "listen_addresses", "127.0.0.1"));
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
        }

        /** 0 (the default) picks a free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder database(String database) {
            this.database = database;
            return this;
        }

        public Builder logFile(Path logFile) {
            this.logFile = logFile;
            return this;
        }

        public Builder setting(String name, String value) {
            settings.put(name, value);
            return this;
        }

        /** Trades durability for speed: for test databases that are thrown away. */
        public Builder durabilityOff() {
            settings.put("fsync", "off");
            settings.put("synchronous_commit", "off");
            settings.put("full_page_writes", "off");
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public EmbeddedPostgres start() {
            return new EmbeddedPostgres(this, port == 0 ? FreePorts.next() : port).start();
        }
    }

    /** How to run a PostgreSQL binary so that it is not root. */
    record RunAs(List<String> prefix, boolean handOverFiles) {

        private static final int NOBODY = 65534;
        private static RunAs detected;

        static synchronized RunAs detect() {
            if (detected == null) {
                detected = probe();
            }
            return detected;
        }

        private static RunAs probe() {
            if (!"root".equals(System.getProperty("user.name"))) {
                return new RunAs(List.of(), false);
            }
            if (succeeds("unshare", "-U", "true")) {
                return new RunAs(List.of("unshare", "-U"), false);
            }
            if (succeeds("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "true")) {
                return new RunAs(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"), true);
            }
            throw new IllegalStateException("PostgreSQL refuses to run as root, and neither 'unshare -U' nor 'setpriv' "
                    + "works on this machine; run the build as a non-root user");
        }

        private static boolean succeeds(String... command) {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /** Gives a fresh directory to the unprivileged user, which must be able to reach it. */
        void handOver(Path directory) throws IOException {
            if (!handOverFiles) {
                return;
            }
            for (Path p = directory.getParent(); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new IllegalStateException("PostgreSQL runs as 'nobody' here (no user namespaces), and 'nobody' "
                            + "cannot enter " + p + "; put the data directory under a world-searchable directory such as /tmp");
                }
            }
            Files.setAttribute(directory, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(directory, "unix:gid", NOBODY, LinkOption.NOFOLLOW_LINKS);
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
