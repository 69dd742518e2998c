package io.sandplane.sandboxapi.rest;

import io.sandplane.sandboxapi.rest.dto.TeamUsage;
import io.sandplane.sandboxapi.service.CurrentCaller;
import io.sandplane.sandboxapi.service.TeamAdmin;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/team")
@CalledWith(Credential.TEAM_KEY)
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "team")
@SecurityRequirement(name = "teamKey")
public class TeamResource {

    private final CurrentCaller caller;
    private final TeamAdmin teams;

    public TeamResource(CurrentCaller caller, TeamAdmin teams) {
        this.caller = caller;
        this.teams = teams;
    }

    @GET
    @Operation(summary = "The calling team", description = "Its quotas and how much of them is in use.")
    public TeamUsage get() {
        return teams.usage(caller.get());
    }
}
