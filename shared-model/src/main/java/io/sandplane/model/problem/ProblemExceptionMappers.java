package io.sandplane.model.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.sandplane.model.InvalidValueException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.ResteasyReactiveClientProblem;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one error contract: every exception that leaves a resource of any Sandplane service becomes
 * {@code application/problem+json}. Anything unexpected becomes a 500 whose body names an error id
 * and nothing else; the stack trace goes to the log under that id.
 */
public class ProblemExceptionMappers {

    private static final Logger LOG = Logger.getLogger(ProblemExceptionMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return respond(new Problem(Problem.TYPE_BASE + e.type(), e.title(), e.status(), e.getMessage(),
                path(uri), List.of(), e.extensions()));
    }

    @ServerExceptionMapper
    public Response invalidValue(InvalidValueException e, UriInfo uri) {
        return badRequest(e.getMessage(), List.of(new Problem.FieldError(e.field(), e.getMessage())), uri);
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e, UriInfo uri) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(fieldOf(v), v.getMessage()))
                .sorted((a, b) -> a.field().compareTo(b.field()))
                .toList();
        String detail = errors.stream().map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; "));
        return badRequest(detail, errors, uri);
    }

    @ServerExceptionMapper({ JsonProcessingException.class, MismatchedInputException.class,
            InvalidFormatException.class, UnrecognizedPropertyException.class })
    public Response unreadableJson(JsonProcessingException e, UriInfo uri) {
        String field = e instanceof JsonMappingException m ? jsonPath(m) : "";
        String message = switch (e) {
            case UnrecognizedPropertyException u -> "unknown field '" + u.getPropertyName() + "'";
            case InvalidFormatException f -> "cannot read " + (f.getValue() instanceof String text
                    ? InvalidValueException.quote(text) : String.valueOf(f.getValue()))
                    + " as " + f.getTargetType().getSimpleName();
            case MismatchedInputException m when m.getTargetType() != null ->
                    "expected a value of type " + m.getTargetType().getSimpleName();
            default -> "malformed JSON: " + e.getOriginalMessage();
        };
        // Jackson wraps our own value checks (records' compact constructors) in a mapping exception.
        if (e.getCause() instanceof InvalidValueException invalid) {
            return invalidValue(invalid, uri);
        }
        List<Problem.FieldError> errors = field.isEmpty() ? List.of() : List.of(new Problem.FieldError(field, message));
        return badRequest(field.isEmpty() ? message : field + ": " + message, errors, uri);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        if (e instanceof ResteasyReactiveClientProblem) {
            // A call to another service failed and nobody handled it: that service's status is not ours to repeat.
            return unexpected(e, uri);
        }
        if (e.getCause() instanceof JsonProcessingException json) {
            // Quarkus REST wraps some body-reading failures (e.g. a @JsonCreator refusing a value) in a plain 400.
            return unreadableJson(json, uri);
        }
        int status = e.getResponse().getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known != null ? known.getReasonPhrase() : "HTTP " + status;
        String detail = switch (status) {
            case 404 -> "no resource at " + path(uri);
            case 405 -> "method not allowed on " + path(uri);
            case 415 -> "unsupported content type; send application/json";
            case 406 -> "cannot produce a representation the request accepts";
            default -> e.getMessage();
        };
        Response.ResponseBuilder builder = Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem(Problem.TYPE_BASE + Problem.slug(title), title, status, detail, path(uri), List.of(), Map.of()));
        e.getResponse().getHeaders().forEach((name, values) -> {
            if (name.equalsIgnoreCase("Allow") || name.equalsIgnoreCase("Retry-After") || name.equalsIgnoreCase("WWW-Authenticate")) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        return builder.build();
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e, UriInfo uri) {
        if (databaseUnreachable(e)) {
            // Not a bug and not the caller's fault: the database is down or restarting. Readiness says
            // so too; the caller may retry, nothing was committed.
            LOG.warnf("database unreachable on %s: %s", path(uri), e.getMessage());
            return respond(new Problem(Problem.TYPE_BASE + "database-unavailable", "Service unavailable", 503,
                    "the database is unreachable; retry shortly", path(uri), List.of(),
                    Map.of(Problem.RETRY_AFTER, DATABASE_RETRY_AFTER_SECONDS)));
        }
        String errorId = UUID.randomUUID().toString();
        LOG.errorf(e, "Unhandled error %s on %s", errorId, path(uri));
        return respond(new Problem(Problem.TYPE_BASE + "internal", "Internal error", 500,
                "an unexpected error occurred; quote error id " + errorId + " when reporting it",
                path(uri), List.of(), Map.of("errorId", errorId)));
    }

    private static final int DATABASE_RETRY_AFTER_SECONDS = 5;

    /**
     * A failure to reach PostgreSQL anywhere in the cause chain: SQLState class 08 (connection
     * exception), 57P01-57P03 (the server is shutting down, crashed, or not yet accepting
     * connections: what a pooled connection gets when PostgreSQL stops under it), or a transient
     * connection failure (e.g. the pool timing out on new connections).
     */
    static boolean databaseUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().matches("57P0[123]"))) {
                return true;
            }
        }
        return false;
    }

    private Response badRequest(String detail, List<Problem.FieldError> errors, UriInfo uri) {
        return respond(new Problem(Problem.TYPE_BASE + "invalid-request", "Invalid request", 400, detail,
                path(uri), errors, Map.of()));
    }

    public static Response respond(Problem problem) {
        Response.ResponseBuilder builder = Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem);
        Object retryAfter = problem.anyExtensions().get(Problem.RETRY_AFTER);
        if (retryAfter != null) {
            builder.header("Retry-After", retryAfter.toString());
        }
        return builder.build();
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : "/" + uri.getPath().replaceFirst("^/", "");
    }

    private static String jsonPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String fieldOf(ConstraintViolation<?> violation) {
        // Paths look like "create.body.ttlSeconds" or "get.id": drop the method and parameter names.
        String[] parts = violation.getPropertyPath().toString().split("\\.");
        return parts.length > 2 ? String.join(".", java.util.Arrays.copyOfRange(parts, 2, parts.length))
                : parts[parts.length - 1];
    }
}
