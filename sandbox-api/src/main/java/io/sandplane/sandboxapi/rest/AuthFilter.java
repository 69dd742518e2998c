package io.sandplane.sandboxapi.rest;

import io.sandplane.model.problem.Problem;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.model.problem.ProblemExceptionMappers;
import io.sandplane.sandboxapi.service.Authenticator;
import io.sandplane.sandboxapi.service.CurrentCaller;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Who may call what: {@code /api/sandboxes…} and {@code /api/team} need a team API key,
 * {@code /api/admin…} the operator token; config and health are open. Runs after matching, on the
 * endpoint's (virtual) thread, so the key lookup may block.
 */
public class AuthFilter {

    private final Authenticator authenticator;
    private final CurrentCaller caller;

    public AuthFilter(Authenticator authenticator, CurrentCaller caller) {
        this.authenticator = authenticator;
        this.caller = caller;
    }

    @ServerRequestFilter
    public Response authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        try {
            if (path.startsWith("/api/sandboxes") || path.equals("/api/team")) {
                caller.set(authenticator.team(authorization));
            } else if (path.startsWith("/api/admin")) {
                authenticator.operator(authorization);
            }
            return null;
        } catch (ProblemException e) {
            Response problem = ProblemExceptionMappers.respond(new Problem(Problem.TYPE_BASE + e.type(), e.title(),
                    e.status(), e.getMessage(), path, List.of(), e.extensions()));
            return e.status() == 401 ? Response.fromResponse(problem).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build()
                    : problem;
        }
    }

    /** {@code ?follow=true} asks for the event stream like {@code Accept: text/event-stream} does. */
    @ServerRequestFilter(preMatching = true)
    public void followMeansStream(ContainerRequestContext request) {
        String follow = request.getUriInfo().getQueryParameters().getFirst("follow");
        if ("true".equals(follow) && request.getUriInfo().getPath().endsWith("/events")) {
            request.getHeaders().putSingle(HttpHeaders.ACCEPT, "text/event-stream");
        }
    }
}
