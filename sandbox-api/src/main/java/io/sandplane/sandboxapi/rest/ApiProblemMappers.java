package io.sandplane.sandboxapi.rest;

import io.sandplane.model.problem.Problem;
import io.sandplane.model.problem.ProblemExceptionMappers;
import io.sandplane.sandboxapi.service.RateLimited;
import io.sandplane.sandboxapi.service.RequestInvalid;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** sandbox-api's own error types, in the shared problem+json contract. */
public class ApiProblemMappers {

    @ServerExceptionMapper
    public Response invalid(RequestInvalid e, UriInfo uri) {
        return ProblemExceptionMappers.respond(new Problem(Problem.TYPE_BASE + "invalid-request", "Invalid request", 400,
                e.getMessage(), uri.getPath(), e.errors(), Map.of()));
    }

    @ServerExceptionMapper
    public Response rateLimited(RateLimited e, UriInfo uri) {
        Response problem = ProblemExceptionMappers.respond(new Problem(Problem.TYPE_BASE + e.type(), e.title(), 429,
                e.getMessage(), uri.getPath(), List.of(), e.extensions()));
        return RateLimitHeaders.add(Response.fromResponse(problem), e.window()).build();
    }
}
