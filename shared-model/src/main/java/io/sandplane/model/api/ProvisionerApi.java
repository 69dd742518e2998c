package io.sandplane.model.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.sandplane.model.internal.InternalOnly;
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
 *
 * <p>Calls block until the hypervisor work is done (a start takes as long as clone + boot; give the
 * client a read timeout of minutes). Operations on one sandbox are serialised: a second call waits
 * for the first and answers with its result. Errors are {@code application/problem+json}:
 * 404 unknown sandbox; 409 a command the sandbox's status does not allow (or another operation
 * kept it busy too long); 422 a snapshot that resolves to no template; 502 the hypervisor refused
 * (PVE's message in {@code detail}); 503 + Retry-After when PVE is unreachable or calls to it are
 * suspended by the circuit breaker.
 */
@InternalOnly
@RegisterForReflection
@Path("/internal")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface ProvisionerApi {

    /**
     * Clone, configure, start and wait until ready. Calling it again never creates a second guest.
     * A start that fails answers 200 with status FAILED and the cause in {@code error} (everything it
     * created is gone); if its clean-up could not finish, the status stays PROVISIONING with the error
     * set and {@link #recover} completes the clean-up.
     */
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

    /**
     * Checks a sandbox's guest against its isolation (see {@link IsolationReport}); reads only, changes
     * nothing. For the reaper's isolation audit. 404 unknown sandbox, 409 a sandbox without a guest.
     */
    @GET
    @Path("/sandboxes/{id}/isolation")
    IsolationReport isolation(@PathParam("id") String id);

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
