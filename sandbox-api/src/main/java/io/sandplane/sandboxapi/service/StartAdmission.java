package io.sandplane.sandboxapi.service;

import io.sandplane.model.Secrets;
import io.sandplane.model.entity.IdempotencyKey;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvents;
import io.sandplane.model.entity.Team;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.sandboxapi.config.ApiConfig;
import io.sandplane.sandboxapi.repository.IdempotencyKeyRepository;
import io.sandplane.sandboxapi.repository.SandboxEventRepository;
import io.sandplane.sandboxapi.repository.SandboxRepository;
import io.sandplane.sandboxapi.repository.TeamRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a start may happen and records it, in one transaction that holds the team's row
 * lock: idempotency, the concurrent-sandbox quota and the hourly start limit are checked and the
 * sandbox row inserted before any other start of that team (on any replica) can look. That makes
 * the limits exact under concurrency. The lock is held for milliseconds, never across the
 * provisioner call.
 */
@ApplicationScoped
public class StartAdmission {

    static final Duration WINDOW = Duration.ofHours(1);
    public static final String ACCESS_TOKEN_PREFIX = "sbt_";

    private final TeamRepository teams;
    private final SandboxRepository sandboxes;
    private final SandboxEventRepository events;
    private final IdempotencyKeyRepository idempotencyKeys;
    private final ApiConfig config;

    public StartAdmission(TeamRepository teams, SandboxRepository sandboxes, SandboxEventRepository events,
            IdempotencyKeyRepository idempotencyKeys, ApiConfig config) {
        this.teams = teams;
        this.sandboxes = sandboxes;
        this.events = events;
        this.idempotencyKeys = idempotencyKeys;
        this.config = config;
    }

    @Transactional
    public Admission admit(Caller caller, StartPlan plan, Optional<String> idempotencyKey) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Team team = teams.lock(caller.teamId());
        if (team == null) {
            throw new ProblemException(401, "unauthorized", "Unauthorized", "the API key's team no longer exists");
        }
        if (team.disabled) {
            throw new ProblemException(403, "team-disabled", "Team disabled", "team " + team.slug + " is disabled");
        }
        if (idempotencyKey.isPresent()) {
            Optional<IdempotencyKey> earlier = idempotencyKeys.find(team.id, idempotencyKey.get());
            if (earlier.isPresent() && earlier.get().expiresAt.isAfter(now)) {
                IdempotencyKey k = earlier.get();
                if (!k.requestHash.equals(plan.requestHash())) {
                    throw new ProblemException(422, "idempotency-key-reused", "Idempotency-Key reused",
                            "this Idempotency-Key was used for a start with a different body; use a new key for a new start",
                            Map.of("sandboxId", k.sandboxId));
                }
                return new Admission.Replayed(k.sandboxId, window(team, now, sandboxes.startsSince(team.id, now.minus(WINDOW)), 0));
            }
            // Expired: the key is free. A bulk delete, because a purge may have removed the row meanwhile.
            earlier.ifPresent(expired -> idempotencyKeys.deleteNow(expired.id));
        }

        SandboxRepository.Usage usage = sandboxes.usage(team.id, now.minus(WINDOW));
        long live = usage.live();
        if (live >= team.maxLiveSandboxes) {
            int retry = config.quotas().liveQuotaRetryAfterSeconds();
            throw new RateLimited("quota-exceeded", "Quota exceeded",
                    "team " + team.slug + " already has " + live + " live sandboxes (quota " + team.maxLiveSandboxes
                            + "); delete one or ask the operator for a larger quota",
                    new RateWindow(team.maxLiveSandboxes, 0, now.plusSeconds(retry)), retry,
                    Map.of("limit", team.maxLiveSandboxes, "live", live));
        }
        RateWindow rate = window(team, now, usage.window(), 1);
        if (rate.remaining() < 0) {
            long retry = Math.max(1, Duration.between(now, rate.reset()).toSeconds() + 1);
            throw new RateLimited("rate-limited", "Too many starts",
                    "team " + team.slug + " may start " + team.startsPerHour + " sandboxes per rolling hour",
                    new RateWindow(rate.limit(), 0, rate.reset()), retry, Map.of("limit", team.startsPerHour));
        }

        String accessToken = Secrets.newSecret(ACCESS_TOKEN_PREFIX);
        Sandbox s = new Sandbox();
        s.id = SandboxIds.newId();
        s.teamId = team.id;
        s.provider = plan.template().provider();
        s.snapshotId = plan.template().snapshotId();
        s.presetId = plan.template().presetId();
        s.templateVersion = plan.template().version();
        s.status = SandboxStatus.PROVISIONING;
        s.ttlSeconds = plan.ttlSeconds();
        s.ttlAction = plan.ttlAction();
        s.expiresAt = now.plusSeconds(plan.ttlSeconds());
        s.idleTimeoutSeconds = plan.idleTimeoutSeconds();
        s.lastActivityAt = now;
        s.wakeOnHttp = plan.wakeOnHttp();
        s.metadata = new HashMap<>(plan.metadata());
        s.accessTokenHash = Secrets.sha256Hex(accessToken);
        s.createdAt = now;
        s.updatedAt = now;
        s.statusChangedAt = now;
        sandboxes.persist(s);
        events.persist(SandboxEvents.action(s.id, SandboxEvents.SANDBOX_API,
                "start requested with key " + caller.keyPrefix() + "…: preset " + s.presetId + " v" + s.templateVersion
                        + " (" + s.snapshotId + "), ttl " + s.ttlSeconds + "s then " + s.ttlAction.id(), now));
        idempotencyKey.ifPresent(key -> {
            IdempotencyKey k = new IdempotencyKey();
            k.teamId = team.id;
            k.key = key;
            k.requestHash = plan.requestHash();
            k.sandboxId = s.id;
            k.createdAt = now;
            k.expiresAt = now.plus(config.idempotency().retention());
            idempotencyKeys.persist(k);
        });
        return new Admission.Admitted(s, accessToken, rate);
    }

    /**
     * Undoes an admission whose start certainly never reached the provisioner: the start is then
     * not recorded at all (no row, no counted start, the Idempotency-Key free for a retry).
     */
    @Transactional
    public boolean forget(String sandboxId) {
        Sandbox s = sandboxes.findById(sandboxId);
        if (s == null || s.status != SandboxStatus.PROVISIONING || s.step != null) {
            return false;
        }
        idempotencyKeys.deleteForSandbox(sandboxId);
        sandboxes.delete(s);
        return true;
    }

    /** The start window after {@code adding} more starts; remaining is negative when over the limit. */
    private RateWindow window(Team team, Instant now, SandboxRepository.StartsInWindow starts, int adding) {
        Instant since = now.minus(WINDOW);
        int used = starts.count();
        int remaining = team.startsPerHour - used - adding;
        Instant reset = starts.oldest() == null ? now.plus(WINDOW) : starts.oldest().plus(WINDOW);
        int toFree = used + adding - team.startsPerHour;
        if (toFree > 1) {
            // Over the limit by more than one (the limit was lowered): the slot frees when the
            // (used - limit + adding)-th oldest start leaves the window.
            int skip = Math.min(used - 1, toFree - 1);
            reset = sandboxes.startedSince(team.id, since, skip).map(t -> t.plus(WINDOW)).orElse(reset);
        }
        return new RateWindow(team.startsPerHour, remaining, reset);
    }
}
