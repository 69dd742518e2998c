package io.sandplane.model.internal;

import io.sandplane.model.problem.Problem;
import io.sandplane.model.problem.ProblemExceptionMappers;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Guards every internal endpoint of every service with the internal token. It runs after matching
 * and decides on the endpoint the request reached ({@link InternalEndpoints}), not on the path as
 * the request spelt it: routing decodes and normalises ({@code %69nternal}, {@code /x/%2e%2e/internal},
 * …), so a check of the raw path can be walked around.
 */
public class InternalTokenFilter {

    private final InternalToken token;
    /** The decision per resource method; the set of endpoints is fixed at build time. */
    private final Map<Method, Boolean> internal = new ConcurrentHashMap<>();

    public InternalTokenFilter(InternalToken token) {
        this.token = token;
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Response check(ContainerRequestContext request, ResourceInfo resource) {
        if (!isInternal(resource) || token.matches(request.getHeaderString(InternalToken.HEADER))) {
            return null;
        }
        return ProblemExceptionMappers.respond(new Problem(Problem.TYPE_BASE + "unauthorized", "Unauthorized", 401,
                "internal endpoints need the " + InternalToken.HEADER + " header",
                request.getUriInfo().getRequestUri().getRawPath(), List.of(), Map.of()));
    }

    private boolean isInternal(ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        if (resource.getResourceClass() == null || method == null) {
            // Nothing matched that we can inspect: refuse rather than guess.
            return true;
        }
        return internal.computeIfAbsent(method, m -> InternalEndpoints.isInternal(resource.getResourceClass(), m));
    }
}
