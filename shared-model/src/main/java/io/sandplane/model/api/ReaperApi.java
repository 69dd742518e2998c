package io.sandplane.model.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.sandplane.model.internal.InternalOnly;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * The reaper's internal API, for operators and tooling: what the reaper is doing, and a pass on
 * demand (for instance a dry-run to see what the next pass would do). Served by the reaper.
 */
@InternalOnly
@RegisterForReflection
@Path("/internal/reaper")
@Produces(MediaType.APPLICATION_JSON)
public interface ReaperApi {

    /** This replica's role, the current leader, and the last pass this replica ran. */
    @GET
    @Path("/status")
    ReaperStatus status();

    /**
     * Runs a pass now on this replica, which must be the leader (409 otherwise, or while a pass is
     * running). With {@code dryRun=true} the pass decides and reports but acts on nothing; a reaper
     * configured for dry-run never acts, whatever this parameter says.
     */
    @POST
    @Path("/passes")
    ReaperPassReport runPass(@QueryParam("dryRun") @DefaultValue("false") boolean dryRun);
}
