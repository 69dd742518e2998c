package io.sandplane.sandboxapi.rest;

import io.sandplane.sandboxapi.rest.dto.CmuxHealth;
import io.sandplane.sandboxapi.rest.dto.SandboxConfigView;
import io.sandplane.sandboxapi.rest.dto.SandboxHealthView;
import io.sandplane.sandboxapi.service.SandboxConfiguration;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Open endpoints a frontend reads before it has a sandbox (cmux-api.md §1.3, §1.4). */
@Path("/api")
@CalledWith(Credential.NONE)
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "config")
public class ConfigResource {

    private final SandboxConfiguration configuration;

    public ConfigResource(SandboxConfiguration configuration) {
        this.configuration = configuration;
    }

    @GET
    @Path("/config/sandbox")
    @Operation(summary = "Provider, capabilities and presets", description = "cmux's SandboxConfig, with each preset's versions.")
    public SandboxConfigView config() {
        return configuration.config();
    }

    @GET
    @Path("/health/sandbox")
    @Operation(summary = "Can sandboxes start now", description = "Provider reachable, latency, templates present; 503 when not.")
    public Response health() {
        SandboxHealthView health = configuration.health();
        return Response.status("healthy".equals(health.status()) ? 200 : 503).entity(health).build();
    }

    @GET
    @Path("/health")
    @Operation(summary = "cmux: API health")
    public CmuxHealth apiHealth() {
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
        return new CmuxHealth("healthy", Instant.now(), "1.0.0", uptime);
    }
}
