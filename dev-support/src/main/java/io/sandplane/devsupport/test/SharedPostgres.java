package io.sandplane.devsupport.test;

import io.sandplane.devsupport.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One PostgreSQL per test JVM, started on first use and stopped when the JVM exits. Every test
 * class, Quarkus restart and launched service process of that JVM shares it.
 */
public final class SharedPostgres {

    private static EmbeddedPostgres instance;

    private SharedPostgres() {
    }

    public static synchronized EmbeddedPostgres get() {
        if (instance == null) {
            Path dir;
            try {
                Path target = Path.of("target").toAbsolutePath();
                Files.createDirectories(target);
                dir = Files.createTempDirectory(target, "test-postgres-").resolve("data");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            instance = EmbeddedPostgres.builder(dir).durabilityOff().start();
            EmbeddedPostgres started = instance;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "stop-embedded-postgres"));
        }
        return instance;
    }

    /** Datasource settings for a service under test or a service process (as environment variables). */
    public static java.util.Map<String, String> datasourceEnv() {
        EmbeddedPostgres pg = get();
        return java.util.Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", pg.jdbcUrl(),
                "QUARKUS_DATASOURCE_USERNAME", EmbeddedPostgres.USER,
                "QUARKUS_DATASOURCE_PASSWORD", "unused");
    }
}
