package io.sandplane.sandboxapi.service;

import io.sandplane.model.InvalidValueException;
import io.sandplane.model.Secrets;
import io.sandplane.model.api.ExecRequest;
import io.sandplane.model.api.ExecResult;
import io.sandplane.model.api.ExposeServiceRequest;
import io.sandplane.model.api.ServiceView;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvents;
import io.sandplane.model.lifecycle.IllegalTransitionException;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.model.service.AuthMode;
import io.sandplane.model.service.ServicePort;
import io.sandplane.sandboxapi.client.ProvisionerClient;
import io.sandplane.sandboxapi.client.UpstreamException;
import io.sandplane.sandboxapi.client.UrlRouterClient;
import io.sandplane.sandboxapi.config.ApiConfig;
import io.sandplane.sandboxapi.repository.SandboxEventRepository;
import io.sandplane.sandboxapi.repository.SandboxRepository;
import io.sandplane.sandboxapi.rest.dto.ExecBody;
import io.sandplane.sandboxapi.rest.dto.ExecOutput;
import io.sandplane.sandboxapi.rest.dto.ExposeBody;
import io.sandplane.sandboxapi.rest.dto.SandboxView;
import io.sandplane.sandboxapi.rest.dto.ServiceInfo;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * Lifecycle commands, TTL, exec and services on a team's sandbox. The state machine is checked
 * here first so an illegal command is a 409 naming the current state; the provisioner (which does
 * the transition) checks again against the row, so a concurrent change is also a 409.
 */
@ApplicationScoped
public class SandboxCommands {

    /** As the url-router accepts them: a letter, then letters, digits and hyphens. */
    private static final Pattern SERVICE_NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");

    public enum Lifecycle {
        STOP(SandboxStatus.STOPPED),
        PAUSE(SandboxStatus.PAUSED),
        RESUME(SandboxStatus.RUNNING),
        DELETE(SandboxStatus.DELETING);

        final SandboxStatus target;

        Lifecycle(SandboxStatus target) {
            this.target = target;
        }
    }

    private final SandboxQueries queries;
    private final SandboxRepository sandboxes;
    private final SandboxEventRepository events;
    private final ProvisionerClient provisioner;
    private final UrlRouterClient router;
    private final ApiConfig config;

    public SandboxCommands(SandboxQueries queries, SandboxRepository sandboxes, SandboxEventRepository events,
            ProvisionerClient provisioner, UrlRouterClient router, ApiConfig config) {
        this.queries = queries;
        this.sandboxes = sandboxes;
        this.events = events;
        this.provisioner = provisioner;
        this.router = router;
        this.config = config;
    }

    public SandboxView lifecycle(Caller caller, String id, Lifecycle command) {
        Sandbox s = queries.owned(caller, id);
        if (alreadyThere(s.status, command)) {
            return queries.view(caller, id);
        }
        boolean legal = switch (command) {
            // A start in progress becomes RUNNING by itself; resume is for paused and stopped sandboxes.
            case RESUME -> s.status == SandboxStatus.PAUSED || s.status == SandboxStatus.STOPPED;
            case DELETE -> s.status.canTransitionTo(SandboxStatus.DELETING) || s.status.canTransitionTo(SandboxStatus.DELETED);
            case STOP, PAUSE -> s.status.canTransitionTo(command.target);
        };
        if (!legal) {
            throw new IllegalTransitionException(s.id, s.status, command.target);
        }
        record(s.id, command.name().toLowerCase() + " requested with key " + caller.keyPrefix() + "…");
        Function<String, ?> call = switch (command) {
            case STOP -> provisioner::stop;
            case PAUSE -> provisioner::pause;
            case RESUME -> provisioner::resume;
            case DELETE -> provisioner::delete;
        };
        upstream(() -> call.apply(s.id));
        return queries.fresh(caller, id);
    }

    /** Commands that are already done answer with the sandbox as it is (a retried command is harmless). */
    private static boolean alreadyThere(SandboxStatus status, Lifecycle command) {
        return switch (command) {
            case STOP -> status == SandboxStatus.STOPPED;
            case PAUSE -> status == SandboxStatus.PAUSED;
            case RESUME -> status == SandboxStatus.RUNNING;
            case DELETE -> status == SandboxStatus.DELETED;
        };
    }

    /**
     * The TTL rule: a sandbox expires {@code ttlSeconds} after its TTL was last set — at admission (so
     * provisioning time counts, as with E2B and Morph) or by this call. With {@code ttlSeconds} this
     * sets a new TTL counted from now, which later keepalives reuse; without, it restarts the current
     * TTL from now.
     */
    public SandboxView extendTtl(Caller caller, String id, Long ttlSeconds) {
        Sandbox s = queries.owned(caller, id);
        long ttl = ttlSeconds == null ? s.ttlSeconds : ttlSeconds;
        if (ttl < 1 || ttl > config.limits().maxTtlSeconds()) {
            throw RequestInvalid.of("ttlSeconds", "ttlSeconds must be between 1 and " + config.limits().maxTtlSeconds());
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String detail = (ttlSeconds == null ? "ttl restarted: " : "ttl set to ") + ttl + "s from now with key "
                + caller.keyPrefix() + "…";
        if (changeLiveRow(s.id, detail, () -> sandboxes.setTtl(s.id, (int) ttl, now)) == 0) {
            throw notLive(caller, id, "only a live sandbox has a TTL to extend");
        }
        return queries.fresh(caller, id);
    }

    /**
     * A new access token for the sandbox's {@code token}-auth services, returned this once; the old one
     * stops opening them (the url-router drops its cached route when the hash changes). For a caller
     * who lost the token, e.g. a replayed start, which does not repeat it.
     */
    public SandboxView newAccessToken(Caller caller, String id) {
        Sandbox s = queries.owned(caller, id);
        String token = Secrets.newSecret(StartAdmission.ACCESS_TOKEN_PREFIX);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String detail = "access token replaced with key " + caller.keyPrefix() + "…; the previous one no longer opens services";
        if (changeLiveRow(s.id, detail, () -> sandboxes.replaceAccessTokenHash(s.id, Secrets.sha256Hex(token), now)) == 0) {
            throw notLive(caller, id, "a sandbox that is not live has no services to open");
        }
        return queries.fresh(caller, id).withAccessToken(token);
    }

    /** Runs a conditional update of a live row and records it in the same transaction; 0 when the row was not live. */
    private int changeLiveRow(String sandboxId, String detail, java.util.function.IntSupplier update) {
        return QuarkusTransaction.requiringNew().call(() -> {
            int n = update.getAsInt();
            if (n == 1) {
                events.persist(SandboxEvents.action(sandboxId, SandboxEvents.SANDBOX_API, detail, Instant.now()));
            }
            return n;
        });
    }

    private ProblemException notLive(Caller caller, String id, String why) {
        SandboxView current = queries.fresh(caller, id);
        return new ProblemException(409, "not-live", "Sandbox not live",
                "sandbox " + id + " is " + current.status() + "; " + why,
                Map.of("currentStatus", current.status().name()));
    }

    public ExecOutput exec(Caller caller, String id, ExecBody body) {
        if (body == null) {
            throw RequestInvalid.of("body", "a JSON object with command is required");
        }
        RequestInvalid.Collector errors = new RequestInvalid.Collector();
        if (body.command() == null || body.command().isBlank()) {
            errors.add("command", "command is required");
        } else if (body.command().getBytes(StandardCharsets.UTF_8).length > ExecRequest.MAX_COMMAND_LENGTH) {
            errors.add("command", "command may be at most " + ExecRequest.MAX_COMMAND_LENGTH + " bytes long (UTF-8)");
        } else if (body.command().indexOf('\0') >= 0) {
            errors.add("command", "command may not contain NUL characters (a shell cannot run them)");
        }
        if (body.timeoutMs() != null && (body.timeoutMs() < 1 || body.timeoutMs() > ExecRequest.MAX_TIMEOUT_MS)) {
            errors.add("timeoutMs", "timeoutMs must be between 1 and " + ExecRequest.MAX_TIMEOUT_MS);
        }
        errors.throwIfAny();
        Sandbox s = queries.owned(caller, id);
        requireRunning(s, "run commands");
        ExecResult r = upstream(() -> provisioner.exec(s.id, new ExecRequest(body.command(), body.timeoutMs())));
        return ExecOutput.of(r);
    }

    public List<ServiceInfo> services(Caller caller, String id) {
        Sandbox s = queries.owned(caller, id);
        return upstream(() -> router.list(s.id)).stream().map(SandboxCommands::info).toList();
    }

    public ServiceInfo expose(Caller caller, String id, ExposeBody body) {
        if (body == null) {
            throw RequestInvalid.of("body", "a JSON object with port is required");
        }
        RequestInvalid.Collector errors = new RequestInvalid.Collector();
        if (body.port() == null) {
            errors.add("port", "port is required");
        } else if (body.port() < 1 || body.port() > 65535) {
            errors.add("port", "port must be between 1 and 65535");
        }
        if (body.name() != null && !SERVICE_NAME.matcher(body.name()).matches()) {
            errors.add("name", "name must be 1-63 lower-case letters, digits and hyphens, starting with a letter");
        }
        AuthMode authMode = null;
        if (body.authMode() != null) {
            try {
                authMode = AuthMode.fromId(body.authMode());
            } catch (InvalidValueException e) {
                errors.add("authMode", e.getMessage());
            }
        }
        errors.throwIfAny();
        AuthMode mode = authMode;
        Sandbox s = queries.owned(caller, id);
        requireLive(s, "expose services");
        String name = body.name() != null ? body.name()
                : ServicePort.byPort(body.port()).map(ServicePort::serviceName).orElse("port-" + body.port());
        ServiceView v = upstream(() -> router.expose(s.id, name, new ExposeServiceRequest(body.port(), mode)));
        record(s.id, "service " + name + " (port " + body.port() + ", " + v.authMode().id() + ") exposed with key "
                + caller.keyPrefix() + "…");
        return info(v);
    }

    public void hide(Caller caller, String id, String name) {
        if (name == null || !SERVICE_NAME.matcher(name).matches()) {
            throw RequestInvalid.of("name", "name must be 1-63 lower-case letters, digits and hyphens, starting with a letter");
        }
        Sandbox s = queries.owned(caller, id);
        upstream(() -> {
            router.hide(s.id, name);
            return null;
        });
        record(s.id, "service " + name + " hidden with key " + caller.keyPrefix() + "…");
    }

    private static ServiceInfo info(ServiceView v) {
        return new ServiceInfo(v.name(), v.port(), v.authMode(), v.url());
    }

    private static void requireRunning(Sandbox s, String what) {
        if (s.status != SandboxStatus.RUNNING) {
            throw new ProblemException(409, "not-running", "Sandbox not running",
                    "sandbox " + s.id + " is " + s.status + "; it must be RUNNING to " + what,
                    Map.of("currentStatus", s.status.name()));
        }
    }

    private static void requireLive(Sandbox s, String what) {
        if (!s.status.isLive() || s.status == SandboxStatus.DELETING) {
            throw new ProblemException(409, "not-live", "Sandbox not live",
                    "sandbox " + s.id + " is " + s.status + "; cannot " + what, Map.of("currentStatus", s.status.name()));
        }
    }

    private void record(String sandboxId, String detail) {
        QuarkusTransaction.requiringNew().run(() ->
                events.persist(SandboxEvents.action(sandboxId, SandboxEvents.SANDBOX_API, detail, Instant.now())));
    }

    private <T> T upstream(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (CircuitBreakerOpenException e) {
            throw new UpstreamException.Unreachable("a Sandplane service", "circuit breaker open after repeated failures",
                    config.upstream().retryAfterSeconds());
        }
    }
}
