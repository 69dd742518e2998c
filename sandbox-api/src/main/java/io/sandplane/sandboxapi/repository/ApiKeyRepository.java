package io.sandplane.sandboxapi.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.ApiKey;
import io.sandplane.model.entity.Team;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.jpa.HibernateHints;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class ApiKeyRepository implements PanacheRepositoryBase<ApiKey, UUID> {

    /** A key that is not revoked, with its team, in one query. */
    public Optional<KeyAndTeam> findActive(String keyHash) {
        List<Object[]> rows = getEntityManager()
                .createQuery("select k, t from ApiKey k, Team t where t.id = k.teamId and k.keyHash = :hash and k.revokedAt is null",
                        Object[].class)
                .setParameter("hash", keyHash)
                .setHint(HibernateHints.HINT_READ_ONLY, true)
                .getResultList();
        return rows.stream().findFirst().map(r -> new KeyAndTeam((ApiKey) r[0], (Team) r[1]));
    }

    public List<ApiKey> listForTeam(UUID teamId) {
        return list("teamId = ?1 order by createdAt, id", teamId);
    }

    /** Records use at most once a minute per key, so authentication does not write on every request. */
    public void touch(UUID keyId, Instant now) {
        update("lastUsedAt = ?1 where id = ?2 and (lastUsedAt is null or lastUsedAt < ?3)", now, keyId, now.minusSeconds(60));
    }

    public record KeyAndTeam(ApiKey key, Team team) {
    }
}
