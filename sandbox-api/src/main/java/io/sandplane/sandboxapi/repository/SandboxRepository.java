package io.sandplane.sandboxapi.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxService;
import io.sandplane.model.lifecycle.SandboxStatus;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.jpa.HibernateHints;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

@ApplicationScoped
public class SandboxRepository implements PanacheRepositoryBase<Sandbox, String> {

    /** A team's sandbox; another team's sandbox is simply absent. */
    public Optional<Sandbox> findForTeam(String id, UUID teamId) {
        return find("id = ?1 and teamId = ?2", id, teamId).withHint(HibernateHints.HINT_READ_ONLY, true)
                .firstResultOptional();
    }

    /** A sandbox with the services the url-router stored for it, ordered by port. */
    public record WithServices(Sandbox sandbox, List<SandboxService> services) {
    }

    /**
     * The team's sandbox and its services in one query, a left join: one database round trip where two
     * queries would take two. Read-only.
     */
    public Optional<WithServices> findWithServices(String id, UUID teamId) {
        List<Object[]> rows = getEntityManager().createQuery("select s, svc from Sandbox s"
                        + " left join SandboxService svc on svc.sandboxId = s.id where s.id = :id and s.teamId = :team"
                        + " order by svc.port", Object[].class)
                .setParameter("id", id)
                .setParameter("team", teamId)
                .setHint(HibernateHints.HINT_READ_ONLY, true)
                .getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        List<SandboxService> services = new ArrayList<>(rows.size());
        for (Object[] row : rows) {
            if (row[1] != null) {
                services.add((SandboxService) row[1]);
            }
        }
        return Optional.of(new WithServices((Sandbox) rows.getFirst()[0], services));
    }

    public long countLive(UUID teamId) {
        List<SandboxStatus> live = EnumSet.allOf(SandboxStatus.class).stream().filter(SandboxStatus::isLive).toList();
        return count("teamId = ?1 and status in ?2", teamId, live);
    }

    public long countStartedSince(UUID teamId, Instant since) {
        return count("teamId = ?1 and createdAt > ?2", teamId, since);
    }

    /** The creation time of the {@code skip}-th oldest start since {@code since}: when it leaves the window a slot frees. */
    public Optional<Instant> startedSince(UUID teamId, Instant since, int skip) {
        return find("teamId = ?1 and createdAt > ?2 order by createdAt, id", teamId, since)
                .range(skip, skip).firstResultOptional().map(s -> s.createdAt);
    }

    /**
     * One page of a team's sandboxes, newest first, after the cursor position; filtered by status and by
     * metadata labels (all must match). Native because metadata is jsonb ({@code @>} uses the GIN index).
     */
    @SuppressWarnings("unchecked")
    public List<Sandbox> page(UUID teamId, Set<SandboxStatus> statuses, String metadataJson, Instant afterCreatedAt,
            String afterId, int limit) {
        StringBuilder sql = new StringBuilder("select * from sandboxes where team_id = :team");
        if (!statuses.isEmpty()) {
            sql.append(" and status in (:statuses)");
        }
        if (metadataJson != null) {
            sql.append(" and metadata @> cast(:labels as jsonb)");
        }
        if (afterCreatedAt != null) {
            sql.append(" and (created_at, id) < (:afterAt, :afterId)");
        }
        sql.append(" order by created_at desc, id desc limit :limit");
        var query = getEntityManager().createNativeQuery(sql.toString(), Sandbox.class)
                .setParameter("team", teamId)
                .setParameter("limit", limit);
        if (!statuses.isEmpty()) {
            List<String> names = new ArrayList<>();
            statuses.forEach(s -> names.add(s.name()));
            query.setParameter("statuses", names);
        }
        if (metadataJson != null) {
            query.setParameter("labels", metadataJson);
        }
        if (afterCreatedAt != null) {
            query.setParameter("afterAt", Timestamp.from(afterCreatedAt));
            query.setParameter("afterId", afterId);
        }
        return query.getResultList();
    }

    /** Live states whose TTL, access token and services may still change (a DELETING sandbox is on its way out). */
    private static final List<SandboxStatus> CHANGEABLE = EnumSet.allOf(SandboxStatus.class).stream()
            .filter(s -> s.isLive() && s != SandboxStatus.DELETING).toList();

    /**
     * Sets a new TTL on a live sandbox, counted from {@code now}, without a read-modify-write race against
     * other writers: {@code ttl_seconds} becomes the new value (so a later keepalive uses it) and
     * {@code expires_at = now + ttlSeconds}.
     */
    public int setTtl(String id, int ttlSeconds, Instant now) {
        return update("ttlSeconds = ?1, expiresAt = ?2, lastActivityAt = ?3, updatedAt = ?3, version = version + 1"
                + " where id = ?4 and status in ?5", ttlSeconds, now.plusSeconds(ttlSeconds), now, id, CHANGEABLE);
    }

    /**
     * Replaces the access token's hash of a live sandbox. The version moves on so that a writer holding
     * the row as it was (the provisioner) fails its optimistic update and re-reads, instead of writing
     * the old hash back; a database trigger (V20) tells every url-router replica to drop the cached route.
     */
    public int replaceAccessTokenHash(String id, String hash, Instant now) {
        return update("accessTokenHash = ?1, updatedAt = ?2, version = version + 1 where id = ?3 and status in ?4",
                hash, now, id, CHANGEABLE);
    }
}
