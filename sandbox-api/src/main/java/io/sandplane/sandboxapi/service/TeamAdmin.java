package io.sandplane.sandboxapi.service;

import io.sandplane.model.Secrets;
import io.sandplane.model.entity.ApiKey;
import io.sandplane.model.entity.Team;
import io.sandplane.model.network.TeamNetwork;
import io.sandplane.model.network.TeamNetworkRequest;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.sandboxapi.config.ApiConfig;
import io.sandplane.sandboxapi.repository.ApiKeyRepository;
import io.sandplane.sandboxapi.repository.SandboxRepository;
import io.sandplane.sandboxapi.repository.TeamRepository;
import io.sandplane.sandboxapi.rest.dto.CreateKeyRequest;
import io.sandplane.sandboxapi.rest.dto.CreateTeamRequest;
import io.sandplane.sandboxapi.rest.dto.KeyView;
import io.sandplane.sandboxapi.rest.dto.Quotas;
import io.sandplane.sandboxapi.rest.dto.TeamUsage;
import io.sandplane.sandboxapi.rest.dto.TeamView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Operator work on teams, quotas, network settings and API keys. A key is shown once; only its hash and prefix
 * are kept.
 */
@ApplicationScoped
public class TeamAdmin {

    public static final String KEY_PREFIX = "spk_";
    /** Visible part of a key: the scheme prefix plus 8 random characters. */
    static final int VISIBLE_PREFIX_LENGTH = KEY_PREFIX.length() + 8;
    private static final Pattern SLUG = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final int MAX_QUOTA = 100_000;

    private final TeamRepository teams;
    private final ApiKeyRepository keys;
    private final SandboxRepository sandboxes;
    private final ApiConfig config;

    public TeamAdmin(TeamRepository teams, ApiKeyRepository keys, SandboxRepository sandboxes, ApiConfig config) {
        this.teams = teams;
        this.keys = keys;
        this.sandboxes = sandboxes;
        this.config = config;
    }

    @Transactional
    public TeamView create(CreateTeamRequest request) {
        if (request == null) {
            throw RequestInvalid.of("body", "a JSON object with slug and name is required");
        }
        RequestInvalid.Collector errors = new RequestInvalid.Collector();
        if (request.slug() == null || !SLUG.matcher(request.slug()).matches()) {
            errors.add("slug", "slug must be 1-63 lower-case letters, digits and inner hyphens");
        }
        if (request.name() == null || request.name().isBlank() || request.name().length() > 200) {
            errors.add("name", "name must be 1-200 characters");
        }
        checkQuotas(request.quotas(), errors);
        errors.throwIfAny();
        if (teams.findBySlug(request.slug()).isPresent()) {
            throw ProblemException.conflict("a team with slug " + request.slug() + " already exists");
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Team t = new Team();
        t.id = UUID.randomUUID();
        t.slug = request.slug();
        t.name = request.name().strip();
        t.maxLiveSandboxes = quota(request.quotas(), true);
        t.startsPerHour = quota(request.quotas(), false);
        t.createdAt = now;
        t.updatedAt = now;
        teams.persist(t);
        return TeamView.of(t);
    }

    @Transactional
    public List<TeamView> list() {
        return teams.listOrdered().stream().map(TeamView::of).toList();
    }

    @Transactional
    public TeamView get(String slugOrId) {
        return TeamView.of(find(slugOrId));
    }

    @Transactional
    public TeamView setDisabled(String slugOrId, boolean disabled) {
        Team t = find(slugOrId);
        if (t.disabled != disabled) {
            t.disabled = disabled;
            t.updatedAt = Instant.now();
        }
        return TeamView.of(t);
    }

    @Transactional
    public TeamView setQuotas(String slugOrId, Quotas quotas) {
        if (quotas == null || (quotas.maxLiveSandboxes() == null && quotas.startsPerHour() == null)) {
            throw RequestInvalid.of("body", "give maxLiveSandboxes and/or startsPerHour");
        }
        RequestInvalid.Collector errors = new RequestInvalid.Collector();
        checkQuotas(quotas, errors);
        errors.throwIfAny();
        Team t = teams.lock(find(slugOrId).id);
        if (quotas.maxLiveSandboxes() != null) {
            t.maxLiveSandboxes = quotas.maxLiveSandboxes();
        }
        if (quotas.startsPerHour() != null) {
            t.startsPerHour = quotas.startsPerHour();
        }
        t.updatedAt = Instant.now();
        return TeamView.of(t);
    }

    /**
     * Changes the team's default network policy and/or the egress modes its starts may ask for. Under the team's
     * row lock, which admission takes too: a start admitted after this commits sees the new settings, and no start
     * can be admitted halfway through the change. Sandboxes that exist keep the policy they started with.
     */
    @Transactional
    public TeamView setNetwork(String slugOrId, TeamNetworkRequest request) {
        if (request == null) {
            throw RequestInvalid.of("body", "give default and/or allowedEgress");
        }
        Team t = teams.lock(find(slugOrId).id);
        RequestInvalid.Collector errors = new RequestInvalid.Collector();
        TeamNetwork network = request.applyTo(t.network(), errors::add).orElse(null);
        errors.throwIfAny();
        t.setNetwork(network);
        t.updatedAt = Instant.now();
        return TeamView.of(t);
    }

    @Transactional
    public KeyView createKey(String slugOrId, CreateKeyRequest request) {
        String name = request == null ? null : request.name();
        if (name != null && (name.isBlank() || name.length() > 200)) {
            throw RequestInvalid.of("name", "name must be 1-200 characters");
        }
        Team t = find(slugOrId);
        String secret = Secrets.newSecret(KEY_PREFIX);
        ApiKey k = new ApiKey();
        k.id = UUID.randomUUID();
        k.teamId = t.id;
        k.name = name;
        k.prefix = secret.substring(0, VISIBLE_PREFIX_LENGTH);
        k.keyHash = Secrets.sha256Hex(secret);
        k.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        keys.persist(k);
        return KeyView.of(k).withKey(secret);
    }

    @Transactional
    public List<KeyView> keys(String slugOrId) {
        return keys.listForTeam(find(slugOrId).id).stream().map(KeyView::of).toList();
    }

    @Transactional
    public KeyView revoke(String slugOrId, String keyId) {
        Team t = find(slugOrId);
        UUID id = uuid("keyId", keyId);
        ApiKey k = keys.findById(id);
        if (k == null || !k.teamId.equals(t.id)) {
            throw ProblemException.notFound("no key " + keyId + " in team " + t.slug);
        }
        if (k.revokedAt == null) {
            k.revokedAt = Instant.now();
        }
        return KeyView.of(k);
    }

    @Transactional
    public TeamUsage usage(Caller caller) {
        Team t = teams.findById(caller.teamId());
        return new TeamUsage(TeamView.of(t), sandboxes.countLive(t.id),
                sandboxes.countStartedSince(t.id, Instant.now().minus(StartAdmission.WINDOW)));
    }

    /** A team by slug or id; the team a cmux {@code teamSlugOrId} names. */
    public Team find(String slugOrId) {
        if (slugOrId == null || slugOrId.length() > 63) {
            throw ProblemException.notFound("no team " + io.sandplane.model.InvalidValueException.quote(slugOrId));
        }
        Team t = null;
        try {
            t = teams.findById(UUID.fromString(slugOrId));
        } catch (IllegalArgumentException notAUuid) {
            t = teams.findBySlug(slugOrId).orElse(null);
        }
        if (t == null) {
            throw ProblemException.notFound("no team " + io.sandplane.model.InvalidValueException.quote(slugOrId));
        }
        return t;
    }

    private int quota(Quotas quotas, boolean live) {
        Integer value = quotas == null ? null : live ? quotas.maxLiveSandboxes() : quotas.startsPerHour();
        if (value != null) {
            return value;
        }
        return live ? config.quotas().defaultMaxLiveSandboxes() : config.quotas().defaultStartsPerHour();
    }

    private static void checkQuotas(Quotas quotas, RequestInvalid.Collector errors) {
        if (quotas == null) {
            return;
        }
        if (quotas.maxLiveSandboxes() != null && (quotas.maxLiveSandboxes() < 0 || quotas.maxLiveSandboxes() > MAX_QUOTA)) {
            errors.add("quotas.maxLiveSandboxes", "maxLiveSandboxes must be between 0 and " + MAX_QUOTA);
        }
        if (quotas.startsPerHour() != null && (quotas.startsPerHour() < 0 || quotas.startsPerHour() > MAX_QUOTA)) {
            errors.add("quotas.startsPerHour", "startsPerHour must be between 0 and " + MAX_QUOTA);
        }
    }

    private static UUID uuid(String field, String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw RequestInvalid.of(field, "invalid id " + io.sandplane.model.InvalidValueException.quote(value));
        }
    }
}
