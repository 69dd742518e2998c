package io.sandplane.devsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresTest {

    @TempDir
    Path dir;

    @Test
    void servesARealDatabaseAndKeepsItsDataAcrossRestarts() throws SQLException {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder(dir.resolve("data")).database("kept").start()) {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), EmbeddedPostgres.USER, "")) {
                c.createStatement().execute("create table t (v text)");
                c.createStatement().execute("insert into t values ('survives')");
                ResultSet version = c.createStatement().executeQuery("show server_version");
                version.next();
                assertThat(version.getString(1)).startsWith("17.");
            }

            pg.stop();
            assertThat(pg.isRunning()).isFalse();
            assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl(), EmbeddedPostgres.USER, "").close())
                    .isInstanceOf(SQLException.class);

            pg.start();
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), EmbeddedPostgres.USER, "")) {
                ResultSet rs = c.createStatement().executeQuery("select v from t");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("survives");
            }
        }
    }

    @Test
    void aTakenPortFailsWithAClearMessage() {
        try (EmbeddedPostgres first = EmbeddedPostgres.builder(dir.resolve("a")).start()) {
            assertThatThrownBy(() -> EmbeddedPostgres.builder(dir.resolve("b")).port(first.port())
                    .startTimeout(java.time.Duration.ofSeconds(20)).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("port " + first.port() + " on 127.0.0.1 is taken");
        }
    }
}
