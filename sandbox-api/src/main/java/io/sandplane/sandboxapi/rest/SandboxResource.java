package io.sandplane.sandboxapi.rest;

import io.sandplane.sandboxapi.config.ApiConfig;
import io.sandplane.sandboxapi.rest.dto.CmuxSandboxStatus;
import io.sandplane.sandboxapi.rest.dto.CreateSandboxRequest;
import io.sandplane.sandboxapi.rest.dto.EventView;
import io.sandplane.sandboxapi.rest.dto.ExecBody;
import io.sandplane.sandboxapi.rest.dto.ExecOutput;
import io.sandplane.sandboxapi.rest.dto.ExposeBody;
import io.sandplane.sandboxapi.rest.dto.ExtendTtlRequest;
import io.sandplane.sandboxapi.rest.dto.ResumedSandboxView;
import io.sandplane.sandboxapi.rest.dto.SandboxPage;
import io.sandplane.sandboxapi.rest.dto.SandboxView;
import io.sandplane.sandboxapi.rest.dto.ServiceInfo;
import io.sandplane.sandboxapi.rest.dto.StartSandboxBody;
import io.sandplane.sandboxapi.service.CmuxFacade;
import io.sandplane.sandboxapi.service.CurrentCaller;
import io.sandplane.sandboxapi.service.EventFeed;
import io.sandplane.sandboxapi.service.SandboxCommands;
import io.sandplane.sandboxapi.service.SandboxCommands.Lifecycle;
import io.sandplane.sandboxapi.service.SandboxQueries;
import io.sandplane.sandboxapi.service.SandboxStarter;
import io.sandplane.sandboxapi.service.StartRequests;
import io.sandplane.sandboxapi.service.StartResult;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/** The public sandbox API, and cmux's routes under the same path. Every call needs a team API key. */
@Path("/api/sandboxes")
@CalledWith(Credential.TEAM_KEY)
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "sandboxes")
@SecurityRequirement(name = "teamKey")
@APIResponse(responseCode = "401", description = "missing or invalid API key")
@APIResponse(responseCode = "403", description = "team disabled")
public class SandboxResource {

    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /**
     * The header as OpenAPI shows it. The starts read it from all of the request's headers, not as a
     * {@code @HeaderParam}, which shows an empty one as absent and a second one not at all.
     */
    private static final String IDEMPOTENCY_KEY_DOC = "1-255 visible ASCII characters, one header";
    private static final Logger LOG = Logger.getLogger(SandboxResource.class);

    private final CurrentCaller caller;
    private final StartRequests requests;
    private final SandboxStarter starter;
    private final SandboxQueries queries;
    private final SandboxCommands commands;
    private final CmuxFacade cmux;
    private final EventFeed feed;
    private final ApiConfig config;
    private final ArrivalTime arrival;
    private final PublicApiUrl publicUrl;

    public SandboxResource(CurrentCaller caller, StartRequests requests, SandboxStarter starter, SandboxQueries queries,
            SandboxCommands commands, CmuxFacade cmux, EventFeed feed, ApiConfig config, ArrivalTime arrival,
            PublicApiUrl publicUrl) {
        this.caller = caller;
        this.requests = requests;
        this.starter = starter;
        this.queries = queries;
        this.commands = commands;
        this.cmux = cmux;
        this.feed = feed;
        this.config = config;
        this.arrival = arrival;
        this.publicUrl = publicUrl;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a sandbox", description = "201 once RUNNING; with wait=false 202 at once (follow /events)."
            + " The same Idempotency-Key and body return the same sandbox; another body with that key is a 422.")
    @APIResponse(responseCode = "201", description = "running")
    @APIResponse(responseCode = "202", description = "accepted, provisioning")
    @APIResponse(responseCode = "422", description = "Idempotency-Key reused with another body")
    @APIResponse(responseCode = "429", description = "quota or start rate exhausted")
    @APIResponse(responseCode = "503", description = "provisioner unreachable")
    @Parameter(name = IDEMPOTENCY_KEY, in = ParameterIn.HEADER, description = IDEMPOTENCY_KEY_DOC)
    public Response create(CreateSandboxRequest body, @Context HttpHeaders headers) {
        long arrived = arrival.nanos(System.nanoTime());
        var key = requests.idempotencyKey(headers.getRequestHeader(IDEMPOTENCY_KEY));
        StartResult result = starter.start(caller.get(), requests.plan(body, "api", key), key);
        Response.ResponseBuilder response = Response.status(result.running() ? 201 : 202).entity(result.sandbox());
        return started(response, result, arrived).location(publicUrl.of("/api/sandboxes/" + result.sandbox().id())).build();
    }

    @GET
    @Operation(summary = "List sandboxes", description = "Newest first; deleted ones only when asked for by status.")
    public SandboxPage list(
            @Parameter(description = "status, repeatable or comma-separated") @QueryParam("status") List<String> status,
            @Parameter(description = "metadata label key=value, repeatable; all must match") @QueryParam("metadata") List<String> metadata,
            @QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        return queries.list(caller.get(), status, metadata, cursor, limit);
    }

    @GET
    @Path("/{id}")
    public SandboxView get(@PathParam("id") String id) {
        return queries.view(caller.get(), id);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a sandbox", description = "Destroys the guest; deleting a deleted sandbox is a no-op.")
    public SandboxView delete(@PathParam("id") String id) {
        return commands.lifecycle(caller.get(), id, Lifecycle.DELETE);
    }

    @POST
    @Path("/{id}/stop")
    @Operation(summary = "Stop a sandbox", description = "204 as cmux answers; send Prefer: return=representation for the sandbox.")
    public Response stop(@PathParam("id") String id, @HeaderParam("Prefer") String prefer) {
        SandboxView view = commands.lifecycle(caller.get(), id, Lifecycle.STOP);
        return prefer != null && prefer.toLowerCase(Locale.ROOT).contains("return=representation")
                ? Response.ok(view).header("Preference-Applied", "return=representation").build()
                : Response.noContent().build();
    }

    @POST
    @Path("/{id}/pause")
    @Operation(summary = "Pause a sandbox", description = "On LXC a pause is a stop (no memory state).")
    public SandboxView pause(@PathParam("id") String id) {
        return commands.lifecycle(caller.get(), id, Lifecycle.PAUSE);
    }

    @POST
    @Path("/{id}/resume")
    @Operation(summary = "Resume a sandbox", description = "The sandbox plus cmux's resumed: true.")
    public ResumedSandboxView resume(@PathParam("id") String id, @QueryParam("teamSlugOrId") String teamSlugOrId) {
        return cmux.resume(caller.get(), id, teamSlugOrId);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{id}/ttl")
    @Operation(summary = "Extend the TTL (keepalive)", description = "expiresAt = now + ttlSeconds (default: the sandbox's TTL).")
    public SandboxView extendTtl(@PathParam("id") String id, ExtendTtlRequest body) {
        return commands.extendTtl(caller.get(), id, body == null ? null : body.ttlSeconds());
    }

    @POST
    @Path("/{id}/access-token")
    @Operation(summary = "Issue a new access token", description = "The sandbox with a new accessToken, shown this once;"
            + " the previous token stops opening its token-auth services at once. For a lost token: a replayed start"
            + " does not repeat it.")
    @APIResponse(responseCode = "200", description = "the sandbox with its new accessToken")
    @APIResponse(responseCode = "409", description = "the sandbox is not live (deleting, deleted, failed or lost)")
    public SandboxView newAccessToken(@PathParam("id") String id) {
        return commands.newAccessToken(caller.get(), id);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{id}/exec")
    @Operation(summary = "Run a command", description = "sh -c in the sandbox; it must be RUNNING.")
    public ExecOutput exec(@PathParam("id") String id, ExecBody body) {
        return commands.exec(caller.get(), id, body);
    }

    @GET
    @Path("/{id}/services")
    public List<ServiceInfo> services(@PathParam("id") String id) {
        return commands.services(caller.get(), id);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{id}/services")
    @Operation(summary = "Expose a port", description = "Through the proxy, with token (default) or public auth.")
    public Response expose(@PathParam("id") String id, ExposeBody body) {
        return Response.status(201).entity(commands.expose(caller.get(), id, body)).build();
    }

    @DELETE
    @Path("/{id}/services/{name}")
    public Response hide(@PathParam("id") String id, @PathParam("name") String name) {
        commands.hide(caller.get(), id, name);
        return Response.noContent().build();
    }

    @DELETE
    @Path("/{id}/services")
    @Operation(summary = "Hide a service", description = "The same as DELETE …/services/{name}, with ?name=.")
    public Response hideByQuery(@PathParam("id") String id, @QueryParam("name") String name) {
        return hide(id, name);
    }

    @GET
    @Path("/{id}/events")
    @Operation(summary = "History", description = "With Accept: text/event-stream or ?follow=true, a live Server-Sent Events stream.")
    public List<EventView> events(@PathParam("id") String id, @QueryParam("after") String after, @QueryParam("limit") String limit) {
        return queries.history(caller.get(), id, after, limit);
    }

    /**
     * Server-Sent Events: every history row after {@code Last-Event-ID} (or {@code ?after}), then new
     * rows as they are written, in order; event names are the row types (status, step, action, error).
     * The checks run on this request; the stream itself is a {@link Multi} fed from its own virtual
     * thread, so the framework ends the response when the stream is over. (An SseEventSink closed
     * inside the method ended the response and the request context before the framework had sent the
     * stream's start; its failure to do so, mapped without a request context, logged a stack trace at
     * ERROR for every stream that ended on the server's side, e.g. any follow of a DELETED sandbox.)
     */
    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking // the checks read the database; a Multi alone would make the method non-blocking
    public Multi<OutboundSseEvent> stream(@PathParam("id") String id, @QueryParam("after") String after,
            @HeaderParam("Last-Event-ID") String lastEventId, @Context Sse sse) {
        String sandboxId = queries.owned(caller.get(), id).id;
        long last = after != null ? SandboxQueries.number("after", after, 0, Long.MAX_VALUE) : parseLastEventId(lastEventId);
        return Multi.createFrom().emitter(emitter -> Thread.ofVirtual().name("events-" + sandboxId)
                .start(() -> follow(sandboxId, last, sse, emitter)));
    }

    /** Emits the rows after {@code last} until the client goes away or the sandbox is DELETED and all was sent. */
    private void follow(String sandboxId, long last, Sse sse, MultiEmitter<? super OutboundSseEvent> emitter) {
        Duration poll = config.events().pollInterval();
        long heartbeatNanos = config.events().heartbeat().toNanos();
        long nextHeartbeat = System.nanoTime() + heartbeatNanos;
        try {
            // The first item sends the headers at once, so a client knows the stream is open before the first event.
            emitter.emit(sse.newEventBuilder().comment("events of " + sandboxId).reconnectDelay(1000).build());
            while (!emitter.isCancelled()) {
                List<EventView> batch = feed.after(sandboxId, last);
                for (EventView e : batch) {
                    emitter.emit(sse.newEventBuilder().id(Long.toString(e.id())).name(e.type().name().toLowerCase(Locale.ROOT))
                            .mediaType(MediaType.APPLICATION_JSON_TYPE).data(EventView.class, e).build());
                    last = e.id();
                }
                if (batch.size() == EventFeed.BATCH) {
                    continue;
                }
                if (batch.isEmpty() && feed.finished(sandboxId) && feed.after(sandboxId, last).isEmpty()) {
                    break;
                }
                if (System.nanoTime() > nextHeartbeat) {
                    emitter.emit(sse.newEventBuilder().comment("keepalive").build());
                    nextHeartbeat = System.nanoTime() + heartbeatNanos;
                }
                Thread.sleep(poll);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The database went away mid-stream: end it; the client reconnects with Last-Event-ID and loses nothing.
            LOG.warnf("event stream of %s ended early: %s", sandboxId, e.toString());
        }
        emitter.complete();
    }

    private static long parseLastEventId(String header) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(header.trim()));
        } catch (NumberFormatException e) {
            throw io.sandplane.sandboxapi.service.RequestInvalid.of("Last-Event-ID", "Last-Event-ID must be an event id");
        }
    }

    // cmux compatibility (cmux-api.md §1.1): start and status; stop and resume above serve both.

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/start")
    @Tag(name = "cmux")
    @Operation(summary = "cmux: start a sandbox", description = "cmux's StartSandboxBody; fields Sandplane has no use for are ignored.")
    @Parameter(name = IDEMPOTENCY_KEY, in = ParameterIn.HEADER, description = IDEMPOTENCY_KEY_DOC)
    public Response cmuxStart(StartSandboxBody body, @Context HttpHeaders headers) {
        long arrived = arrival.nanos(System.nanoTime());
        var key = requests.idempotencyKey(headers.getRequestHeader(IDEMPOTENCY_KEY));
        CmuxFacade.Started started = cmux.start(caller.get(), body, key);
        return started(Response.ok(started.response()), started.result(), arrived).build();
    }

    @GET
    @Path("/{id}/status")
    @Tag(name = "cmux")
    @Operation(summary = "cmux: sandbox status")
    public CmuxSandboxStatus cmuxStatus(@PathParam("id") String id) {
        return cmux.status(caller.get(), id);
    }

    /**
     * Rate-limit headers, replay marker, and how the start's time divides: {@code api} is everything from the
     * request's arrival until here but the provisioner call (only serialising and sending the answer come
     * after), {@code admission} the part of it spent in admission.
     */
    private static Response.ResponseBuilder started(Response.ResponseBuilder response, StartResult result, long arrived) {
        double totalMs = (System.nanoTime() - arrived) / 1e6;
        double provisionerMs = result.provisionerTime().toNanos() / 1e6;
        response.header("Server-Timing", String.format(Locale.ROOT, "admission;dur=%.3f, provisioner;dur=%.3f, api;dur=%.3f",
                result.admissionTime().toNanos() / 1e6, provisionerMs, totalMs - provisionerMs));
        if (result.replayed()) {
            response.header("Idempotent-Replayed", "true");
        }
        return RateLimitHeaders.add(response, result.rate());
    }

}
