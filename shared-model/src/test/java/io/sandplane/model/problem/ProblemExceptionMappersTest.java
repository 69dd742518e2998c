package io.sandplane.model.problem;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class ProblemExceptionMappersTest {

    private final ProblemExceptionMappers mappers = new ProblemExceptionMappers();

    @Test
    void aLostDatabaseConnectionIsA503WithRetryAfterNotAnInternalError() {
        // As Hibernate reports a refused connection: PostgreSQL's SQLState 08001 under a persistence exception.
        var refused = new PersistenceException("could not prepare statement",
                new SQLException("Connection to localhost:5432 refused", "08001"));

        Response response = mappers.unexpected(refused, null);

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeaderString("Retry-After")).isEqualTo("5");
        Problem problem = (Problem) response.getEntity();
        assertThat(problem.type()).isEqualTo(Problem.TYPE_BASE + "database-unavailable");
        assertThat(problem.detail()).doesNotContain("5432");
    }

    @Test
    void aPoolThatCannotGetAConnectionIsA503() {
        Response response = mappers.unexpected(new RuntimeException(
                new SQLTransientConnectionException("Acquisition timeout while waiting for new connection")), null);

        assertThat(response.getStatus()).isEqualTo(503);
    }

    @Test
    void aConnectionPostgresTerminatesAsItStopsIsA503() {
        // What a pooled connection reports when PostgreSQL shuts down under it (SQLState 57P01, admin_shutdown).
        Response response = mappers.unexpected(new PersistenceException("JDBC exception executing SQL",
                new SQLException("FATAL: terminating connection due to administrator command", "57P01")), null);

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(((Problem) response.getEntity()).type()).isEqualTo(Problem.TYPE_BASE + "database-unavailable");
    }

    @Test
    void otherDatabaseErrorsStayInternalErrors() {
        Response response = mappers.unexpected(new PersistenceException(
                new SQLException("duplicate key value violates unique constraint", "23505")), null);

        assertThat(response.getStatus()).isEqualTo(500);
        assertThat(((Problem) response.getEntity()).type()).isEqualTo(Problem.TYPE_BASE + "internal");
    }
}
