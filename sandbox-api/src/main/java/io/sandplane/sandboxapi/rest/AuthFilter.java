package io.sandplane.sandboxapi.rest;

import io.sandplane.model.problem.Problem;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.model.problem.ProblemExceptionMappers;
import io.sandplane.sandboxapi.service.Authenticator;
import io.sandplane.sandboxapi.service.CurrentCaller;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Who may call what, from the {@link CalledWith} of the endpoint the request reached: a team API key
 * (the caller is then set for the endpoint), the operator token, or nothing. Never from the path as
 * spelt: routing decodes and normalises it ({@code /api;x=y/admin/teams}, {@code /%61pi/team}, …),
 * and a prefix check of the spelling can be walked around. Runs after matching, on the endpoint's
 * (virtual) thread, so the key lookup may block.
 */
public class AuthFilter {

    private final Authenticator authenticator;
    private final CurrentCaller caller;

    public AuthFilter(Authenticator authenticator, CurrentCaller caller) {
        this.authenticator = authenticator;
        this.caller = caller;
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Response authenticate(ContainerRequestContext request, ResourceInfo resource) {
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        try {
            switch (credentialOf(resource)) {
                case TEAM_KEY -> caller.set(authenticator.team(authorization));
                case OPERATOR_TOKEN -> authenticator.operator(authorization);
                case NONE -> {
                }
            }
            return null;
        } catch (ProblemException e) {
            Response problem = ProblemExceptionMappers.respond(new Problem(Problem.TYPE_BASE + e.type(), e.title(),
                    e.status(), e.getMessage(), request.getUriInfo().getPath(), List.of(), e.extensions()));
            return e.status() == 401 ? Response.fromResponse(problem).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build()
                    : problem;
        }
    }

    /** A resource that does not say is closed to everyone: a forgotten annotation must not open an endpoint. */
    private static Credential credentialOf(ResourceInfo resource) {
        CalledWith declared = resource.getResourceClass() == null ? null
                : resource.getResourceClass().getAnnotation(CalledWith.class);
        if (declared == null) {
            throw new ProblemException(403, "forbidden", "Forbidden", "this endpoint declares no credential it accepts");
        }
        return declared.value();
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
