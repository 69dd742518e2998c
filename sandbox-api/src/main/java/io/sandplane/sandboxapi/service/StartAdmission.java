package io.sandplane.sandboxapi.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.sandplane.model.Secrets;
import io.sandplane.model.entity.IdempotencyKey;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.entity.SandboxEvents;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.network.EgressMode;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.sandboxapi.config.ApiConfig;
import io.sandplane.sandboxapi.repository.AdmissionRepository;
import io.sandplane.sandboxapi.repository.IdempotencyKeyRepository;
import io.sandplane.sandboxapi.repository.SandboxRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Decides whether a start may happen and records it, in one statement that holds the team's row
 * lock until it commits: idempotency, the team's egress permissions (and its default network policy),
 * the concurrent-sandbox quota and the hourly start limit are checked and the sandbox row inserted before
 * any other start of that team (on any replica) can look, and before an operator's change of the team can land.
 * That makes the limits exact under concurrency. The lock is held for milliseconds, never across the
 * provisioner call. The rules themselves are in {@code sandplane_admit_start} (V60, V70); this class builds
 * the row and turns the decision into an answer.
 */
@ApplicationScoped
public class StartAdmission {

    static final Duration WINDOW = Duration.ofHours(1);
    public static final String ACCESS_TOKEN_PREFIX = "sbt_";

    private final AdmissionRepository admissions;
    private final SandboxRepository sandboxes;
    private final IdempotencyKeyRepository idempotencyKeys;
    private final ApiConfig config;

    public StartAdmission(AdmissionRepository admissions, SandboxRepository sandboxes,
            IdempotencyKeyRepository idempotencyKeys, ApiConfig config) {
        this.admissions = admissions;
        this.sandboxes = sandboxes;
        this.idempotencyKeys = idempotencyKeys;
        this.config = config;
    }

    /**
     * One database round trip ({@link AdmissionRepository}); it does not join a caller's transaction, because
     * the start must be committed before the provisioner is called.
     */
    @Transactional(Transactional.TxType.NEVER)
    public Admission admit(Caller caller, StartPlan plan, Optional<String> idempotencyKey) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String accessToken = Secrets.newSecret(ACCESS_TOKEN_PREFIX);
        Sandbox s = newSandbox(caller.teamId(), plan, accessToken, now);
        SandboxEvent requested = SandboxEvents.action(s.id, SandboxEvents.SANDBOX_API,
                "start requested with key " + caller.keyPrefix() + "…: preset " + s.presetId + " v" + s.templateVersion
                        + " (" + s.snapshotId + "), ttl " + s.ttlSeconds + "s then " + s.ttlAction.id(), now);
        Optional<IdempotencyKey> key = idempotencyKey.map(k -> {
            IdempotencyKey row = new IdempotencyKey();
            row.teamId = caller.teamId();
            row.key = k;
            row.requestHash = plan.requestHash();
            row.sandboxId = s.id;
            row.createdAt = now;
            row.expiresAt = now.plus(config.idempotency().retention());
            return row;
        });

        AdmissionRepository.Decision d = admissions.admit(s, requested, plan.network(), now.minus(WINDOW), key);
        return switch (d.outcome()) {
            case NO_TEAM -> throw new ProblemException(401, "unauthorized", "Unauthorized", "the API key's team no longer exists");
            case TEAM_DISABLED -> throw new ProblemException(403, "team-disabled", "Team disabled",
                    "team " + d.teamSlug() + " is disabled");
            case EARLIER -> {
                if (!d.earlierRequestHash().equals(plan.requestHash())) {
                    throw new ProblemException(422, "idempotency-key-reused", "Idempotency-Key reused",
                            "this Idempotency-Key was used for a start with a different body; use a new key for a new start",
                            Map.of("sandboxId", d.earlierSandboxId()));
                }
                yield new Admission.Replayed(d.earlierSandboxId(), window(caller.teamId(), d, now, 0));
            }
            case EGRESS_NOT_ALLOWED -> throw new ProblemException(403, "egress-not-allowed", "Egress not allowed",
                    "team " + d.teamSlug() + ": " + plan.network().refusal("network", d.teamEgressModes())
                            .orElse("the team may not use this network policy"),
                    Map.of("allowedEgress", d.teamEgressModes().stream().sorted().map(EgressMode::id).toList()));
            case QUOTA -> {
                int retry = config.quotas().liveQuotaRetryAfterSeconds();
                throw new RateLimited("quota-exceeded", "Quota exceeded",
                        "team " + d.teamSlug() + " already has " + d.liveCount() + " live sandboxes (quota " + d.maxLive()
                                + "); delete one or ask the operator for a larger quota",
                        new RateWindow(d.maxLive(), 0, now.plusSeconds(retry)), retry,
                        Map.of("limit", d.maxLive(), "live", d.liveCount()));
            }
            case RATE -> {
                RateWindow rate = window(caller.teamId(), d, now, 1);
                long retry = Math.max(1, Duration.between(now, rate.reset()).toSeconds() + 1);
                throw new RateLimited("rate-limited", "Too many starts",
                        "team " + d.teamSlug() + " may start " + d.perHour() + " sandboxes per rolling hour",
                        new RateWindow(rate.limit(), 0, rate.reset()), retry, Map.of("limit", d.perHour()));
            }
            case ADMITTED -> {
                s.setNetworkPolicy(d.network());
                yield new Admission.Admitted(s, accessToken, window(caller.teamId(), d, now, 1));
            }
        };
    }

    /** The row admission records: PROVISIONING, every timestamp {@code now}, the TTL counted from admission. */
    private static Sandbox newSandbox(UUID teamId, StartPlan plan, String accessToken, Instant now) {
        Sandbox s = new Sandbox();
        s.id = SandboxIds.newId();
        s.teamId = teamId;
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
        return s;
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
    private RateWindow window(UUID teamId, AdmissionRepository.Decision d, Instant now, int adding) {
        int used = d.windowCount();
        int remaining = d.perHour() - used - adding;
        Instant oldestLeaves = d.windowOldest() == null ? now.plus(WINDOW) : d.windowOldest().plus(WINDOW);
        int toFree = used + adding - d.perHour();
        if (toFree <= 1) {
            return new RateWindow(d.perHour(), remaining, oldestLeaves);
        }
        // Over the limit by more than one (the limit was lowered): the slot frees when the
        // (used - limit + adding)-th oldest start leaves the window. Rare, so a read of its own.
        int skip = Math.min(used - 1, toFree - 1);
        Instant since = now.minus(WINDOW);
        Instant reset = QuarkusTransaction.requiringNew().call(() -> sandboxes.startedSince(teamId, since, skip))
                .map(t -> t.plus(WINDOW)).orElse(oldestLeaves);
        return new RateWindow(d.perHour(), remaining, reset);
    }
}
