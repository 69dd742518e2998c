package io.sandplane.provisioner.rest;

import io.sandplane.model.problem.Problem;
import io.sandplane.model.problem.ProblemExceptionMappers;
import io.sandplane.provisioner.client.PveException;
import io.sandplane.provisioner.service.Failures;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A hypervisor failure that reaches a caller: 502 with PVE's message (which never holds the token),
 * or 503 with Retry-After while the circuit breaker keeps PVE calls suspended.
 */
public class HypervisorErrorMappers {

    @ServerExceptionMapper
    public Response pve(PveException e, UriInfo uri) {
        return ProblemExceptionMappers.respond(new Problem(Problem.TYPE_BASE + "hypervisor-error", "Hypervisor error",
                e.isTransient() ? 503 : 502, Failures.reason(e), path(uri), List.of(),
                e.isTransient() ? Map.of(Problem.RETRY_AFTER, 10) : Map.of()));
    }

    @ServerExceptionMapper
    public Response circuitOpen(CircuitBreakerOpenException e, UriInfo uri) {
        return ProblemExceptionMappers.respond(new Problem(Problem.TYPE_BASE + "hypervisor-unavailable",
                "Hypervisor unavailable", 503, Failures.reason(e), path(uri), List.of(), Map.of(Problem.RETRY_AFTER, 10)));
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : "/" + uri.getPath().replaceFirst("^/", "");
    }
}
