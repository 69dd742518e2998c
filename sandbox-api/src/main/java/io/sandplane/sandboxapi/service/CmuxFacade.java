package io.sandplane.sandboxapi.service;

import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.lifecycle.TtlAction;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.sandboxapi.rest.dto.CmuxSandboxStatus;
import io.sandplane.sandboxapi.rest.dto.CreateSandboxRequest;
import io.sandplane.sandboxapi.rest.dto.ResumedSandboxView;
import io.sandplane.sandboxapi.rest.dto.SandboxView;
import io.sandplane.sandboxapi.rest.dto.StartSandboxBody;
import io.sandplane.sandboxapi.rest.dto.StartSandboxResponse;
import io.sandplane.model.service.ServicePort;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * cmux's sandbox routes (cmux-api.md §1.1) over Sandplane's own lifecycle, so a cmux frontend can
 * point at Sandplane. cmux starts with {@code ttlAction: pause} and wake-on-HTTP, so these do too.
 */
@ApplicationScoped
public class CmuxFacade {

    private final StartRequests requests;
    private final SandboxStarter starter;
    private final SandboxQueries queries;
    private final SandboxCommands commands;

    public CmuxFacade(StartRequests requests, SandboxStarter starter, SandboxQueries queries, SandboxCommands commands) {
        this.requests = requests;
        this.starter = starter;
        this.queries = queries;
        this.commands = commands;
    }

    public record Started(StartSandboxResponse response, StartResult result) {
    }

    public Started start(Caller caller, StartSandboxBody body, Optional<String> idempotencyKey) {
        if (body == null) {
            throw RequestInvalid.of("body", "a JSON object with teamSlugOrId is required");
        }
        if (body.teamSlugOrId() == null || body.teamSlugOrId().isBlank()) {
            throw RequestInvalid.of("teamSlugOrId", "teamSlugOrId is required");
        }
        requireTeam(caller, body.teamSlugOrId());
        // No network: cmux has no such member, so its sandboxes get the team's default policy.
        CreateSandboxRequest request = new CreateSandboxRequest(body.snapshotId(), null, null, body.ttlSeconds(),
                TtlAction.PAUSE.id(), null, true, body.metadata(), null, true);
        StartResult result = starter.start(caller, requests.plan(request, "cmux", idempotencyKey), idempotencyKey);
        SandboxView s = result.sandbox();
        return new Started(new StartSandboxResponse(s.id(), url(s, ServicePort.VSCODE), url(s, ServicePort.WORKER),
                url(s, ServicePort.VNC), url(s, ServicePort.XTERM), s.provider().id(), s.accessToken()), result);
    }

    /** {@code running} as cmux computes it for PVE: the guest runs and its VS Code service is exposed. */
    public CmuxSandboxStatus status(Caller caller, String id) {
        SandboxView s = queries.view(caller, id);
        String vscode = url(s, ServicePort.VSCODE);
        return new CmuxSandboxStatus(s.status() == SandboxStatus.RUNNING && vscode != null, vscode,
                url(s, ServicePort.WORKER), s.provider().id());
    }

    public ResumedSandboxView resume(Caller caller, String id, String teamSlugOrId) {
        if (teamSlugOrId != null) {
            requireTeam(caller, teamSlugOrId);
        }
        return new ResumedSandboxView(true, commands.lifecycle(caller, id, SandboxCommands.Lifecycle.RESUME));
    }

    private static void requireTeam(Caller caller, String teamSlugOrId) {
        if (!caller.isTeam(teamSlugOrId)) {
            throw new ProblemException(403, "forbidden", "Forbidden",
                    "Forbidden: Not a member of this team (the API key belongs to team " + caller.teamSlug() + ")");
        }
    }

    private static String url(SandboxView s, ServicePort port) {
        return s.urls().get(port.serviceName());
    }
}
