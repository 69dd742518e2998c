package io.sandplane.sandboxapi.rest;

import io.sandplane.model.network.TeamNetworkRequest;
import io.sandplane.sandboxapi.rest.dto.CreateKeyRequest;
import io.sandplane.sandboxapi.rest.dto.CreateTeamRequest;
import io.sandplane.sandboxapi.rest.dto.KeyView;
import io.sandplane.sandboxapi.rest.dto.Quotas;
import io.sandplane.sandboxapi.rest.dto.TeamView;
import io.sandplane.sandboxapi.service.KeyLookup;
import io.sandplane.sandboxapi.service.TeamAdmin;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Operator API: teams, quotas, network settings, API keys. Needs {@code Authorization: Bearer $SANDPLANE_OPERATOR_TOKEN}.
 */
@Path("/api/admin/teams")
@CalledWith(Credential.OPERATOR_TOKEN)
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "admin")
@SecurityRequirement(name = "operatorToken")
public class AdminResource {

    private final TeamAdmin admin;
    private final KeyLookup keys;
    private final PublicApiUrl publicUrl;

    public AdminResource(TeamAdmin admin, KeyLookup keys, PublicApiUrl publicUrl) {
        this.admin = admin;
        this.keys = keys;
        this.publicUrl = publicUrl;
    }

    /** After the change committed, so no request can cache the old state again. */
    private <T> T thenForgetKeys(T result) {
        keys.forgetAll();
        return result;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a team")
    public Response create(CreateTeamRequest body) {
        TeamView team = admin.create(body);
        return Response.created(publicUrl.of("/api/admin/teams/" + team.id())).entity(team).build();
    }

    @GET
    public List<TeamView> list() {
        return admin.list();
    }

    @GET
    @Path("/{team}")
    public TeamView get(@PathParam("team") String team) {
        return admin.get(team);
    }

    @POST
    @Path("/{team}/disable")
    @Operation(summary = "Disable a team", description = "Its keys get 403 until it is enabled again; sandboxes are left alone.")
    public TeamView disable(@PathParam("team") String team) {
        return thenForgetKeys(admin.setDisabled(team, true));
    }

    @POST
    @Path("/{team}/enable")
    public TeamView enable(@PathParam("team") String team) {
        return thenForgetKeys(admin.setDisabled(team, false));
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{team}/quotas")
    @Operation(summary = "Set quotas", description = "Either or both of maxLiveSandboxes and startsPerHour.")
    public TeamView quotas(@PathParam("team") String team, Quotas body) {
        return admin.setQuotas(team, body);
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{team}/network")
    @Operation(summary = "Set network settings", description = "Either or both of default (the policy of starts that"
            + " name no network) and allowedEgress (the egress modes starts may ask for; open only if given here)."
            + " Existing sandboxes keep their policy.")
    public TeamView network(@PathParam("team") String team, TeamNetworkRequest body) {
        return admin.setNetwork(team, body);
    }

    @POST
    @Path("/{team}/keys")
    @Operation(summary = "Create an API key", description = "The key is in this answer only; Sandplane keeps its hash and prefix.")
    public Response createKey(@PathParam("team") String team, CreateKeyRequest body) {
        return Response.status(201).entity(admin.createKey(team, body)).build();
    }

    @GET
    @Path("/{team}/keys")
    public List<KeyView> keys(@PathParam("team") String team) {
        return admin.keys(team);
    }

    @DELETE
    @Path("/{team}/keys/{keyId}")
    @Operation(summary = "Revoke an API key", description = "Takes effect at once on this replica, within SANDPLANE_API_KEY_CACHE_TTL (2 s) on others.")
    public KeyView revoke(@PathParam("team") String team, @PathParam("keyId") String keyId) {
        return thenForgetKeys(admin.revoke(team, keyId));
    }
}
