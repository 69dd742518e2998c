package io.sandplane.model.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The provisioner's internal API: the only way any other service acts on a hypervisor. Every
 * operation works on an existing sandbox row, is idempotent, and answers with the row's state.
 * Served by the provisioner, used by sandbox-api, url-router and reaper through
 * {@code @RegisterRestClient} interfaces extending this one.
 */
@Path("/internal")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface ProvisionerApi {

    /** Clone, configure, start and wait until ready. Calling it again never creates a second guest. */
    @POST
    @Path("/sandboxes/{id}/provision")
    SandboxState provision(@PathParam("id") String id);

    /** Graceful shutdown with a timeout, then a hard stop. */
    @POST
    @Path("/sandboxes/{id}/stop")
    SandboxState stop(@PathParam("id") String id);

    /** Keeps memory where the provider can (see capabilities); on LXC this is a stop. */
    @POST
    @Path("/sandboxes/{id}/pause")
    SandboxState pause(@PathParam("id") String id);

    /** Start again and wait for network and execd. */
    @POST
    @Path("/sandboxes/{id}/resume")
    SandboxState resume(@PathParam("id") String id);

    /** Stop, destroy the guest and release its VMID; deleting an already-gone guest succeeds. */
    @DELETE
    @Path("/sandboxes/{id}")
    SandboxState delete(@PathParam("id") String id);

    /**
     * Finishes or rolls back a start that stopped half-way (a crashed provisioner), from the row's
     * recorded step and the guest's tags. For the reaper.
     */
    @POST
    @Path("/sandboxes/{id}/recover")
    SandboxState recover(@PathParam("id") String id);

    /** Runs a command in the sandbox through its execd. */
    @POST
    @Path("/sandboxes/{id}/exec")
    ExecResult exec(@PathParam("id") String id, @Valid @NotNull ExecRequest request);

    /** Every guest tagged {@code sandplane}, one list call per node; nodes that could not be read say so. */
    @GET
    @Path("/guests")
    GuestInventory guests();

    /**
     * Destroys a tagged guest that no sandbox row owns (an orphan). Refuses guests without the
     * {@code sandplane} tag.
     */
    @DELETE
    @Path("/guests/{node}/{vmid}")
    void deleteGuest(@PathParam("node") String node, @PathParam("vmid") int vmid);

    /** Is the hypervisor reachable, how fast, and are the catalog's templates there. */
    @GET
    @Path("/provider/health")
    ProviderHealth health();
}
