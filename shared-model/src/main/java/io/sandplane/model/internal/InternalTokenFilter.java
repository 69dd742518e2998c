package io.sandplane.model.internal;

import io.sandplane.model.problem.Problem;
import io.sandplane.model.problem.ProblemExceptionMappers;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Guards every {@code /internal/…} endpoint of every service with the internal token. */
public class InternalTokenFilter {

    private final InternalToken token;

    public InternalTokenFilter(InternalToken token) {
        this.token = token;
    }

    @ServerRequestFilter(preMatching = true)
    public Response check(ContainerRequestContext request) {
        String path = request.getUriInfo().getRequestUri().getRawPath();
        if (!(path.equals("/internal") || path.startsWith("/internal/"))) {
            return null;
        }
        if (token.matches(request.getHeaderString(InternalToken.HEADER))) {
            return null;
        }
        return ProblemExceptionMappers.respond(new Problem(Problem.TYPE_BASE + "unauthorized", "Unauthorized", 401,
                "internal endpoints need the " + InternalToken.HEADER + " header", path, List.of(), Map.of()));
    }
}
