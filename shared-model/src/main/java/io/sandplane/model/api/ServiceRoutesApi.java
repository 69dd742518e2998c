package io.sandplane.model.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.sandplane.model.internal.InternalOnly;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * The url-router's internal API: which ports of a sandbox the proxy serves, with which auth, under
 * which URL. Served by url-router, used by sandbox-api.
 */
@InternalOnly
@RegisterForReflection
@Path("/internal/sandboxes/{id}/services")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface ServiceRoutesApi {

    @GET
    List<ServiceView> list(@PathParam("id") String sandboxId);

    /** Exposes (or re-configures) a named service; the URL is computed and stored. */
    @PUT
    @Path("/{name}")
    ServiceView expose(@PathParam("id") String sandboxId, @PathParam("name") String name,
            @Valid @NotNull ExposeServiceRequest request);

    /** Hides a service; the proxy stops routing it at once. Hiding an unknown service succeeds. */
    @DELETE
    @Path("/{name}")
    void hide(@PathParam("id") String sandboxId, @PathParam("name") String name);
}
