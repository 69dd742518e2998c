package io.sandplane.sandboxapi.rest;

import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.sandplane.model.InvalidValueException;
import io.sandplane.model.problem.Problem;
import io.sandplane.model.problem.ProblemExceptionMappers;
import io.sandplane.sandboxapi.service.RateLimited;
import io.sandplane.sandboxapi.service.RequestInvalid;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** sandbox-api's own error types, in the shared problem+json contract. */
public class ApiProblemMappers {

    private static final ProblemExceptionMappers SHARED = new ProblemExceptionMappers();

    @ServerExceptionMapper
    public Response invalid(RequestInvalid e, UriInfo uri) {
        return ProblemExceptionMappers.respond(new Problem(Problem.TYPE_BASE + "invalid-request", "Invalid request", 400,
                e.getMessage(), uri.getPath(), e.errors(), Map.of()));
    }

    /**
     * The JSON reader reports some unreadable bodies (numbers out of range, values our own types
     * refuse) as a bare 400; the cause says which member was wrong, so answer like for any other bad body.
     */
    @ServerExceptionMapper
    public Response badRequest(BadRequestException e, UriInfo uri) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof InvalidValueException invalid) {
                return SHARED.invalidValue(invalid, uri);
            }
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof JsonMappingException mapping) {
                return SHARED.unreadableJson(mapping, uri);
            }
            if (t instanceof StreamReadException read) {
                String field = read instanceof InputCoercionException ? fieldOf(read) : "";
                String message = "unreadable value: " + read.getOriginalMessage();
                return ProblemExceptionMappers.respond(new Problem(Problem.TYPE_BASE + "invalid-request", "Invalid request",
                        400, field.isEmpty() ? message : field + ": " + message, uri.getPath(),
                        field.isEmpty() ? List.of() : List.of(new Problem.FieldError(field, message)), Map.of()));
            }
        }
        return SHARED.webApplication(e, uri);
    }

    private static String fieldOf(StreamReadException e) {
        try {
            var context = e.getProcessor() == null ? null : e.getProcessor().getParsingContext();
            return context == null || context.getCurrentName() == null ? "" : context.getCurrentName();
        } catch (RuntimeException unknown) {
            return "";
        }
    }

    @ServerExceptionMapper
    public Response rateLimited(RateLimited e, UriInfo uri) {
        Response problem = ProblemExceptionMappers.respond(new Problem(Problem.TYPE_BASE + e.type(), e.title(), 429,
                e.getMessage(), uri.getPath(), List.of(), e.extensions()));
        return RateLimitHeaders.add(Response.fromResponse(problem), e.window()).build();
    }
}
