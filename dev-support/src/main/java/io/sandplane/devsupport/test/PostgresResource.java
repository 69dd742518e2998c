package io.sandplane.devsupport.test;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sandplane.devsupport.EmbeddedPostgres;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at the JVM's shared embedded PostgreSQL. Declare it once per module
 * with {@code @WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)}.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        EmbeddedPostgres pg = SharedPostgres.get();
        return Map.of(
                "quarkus.datasource.jdbc.url", pg.jdbcUrl(),
                "quarkus.datasource.username", EmbeddedPostgres.USER,
                "quarkus.datasource.password", "unused");
    }

    @Override
    public void stop() {
        // Shared by the whole test JVM; a shutdown hook stops it.
    }
}
