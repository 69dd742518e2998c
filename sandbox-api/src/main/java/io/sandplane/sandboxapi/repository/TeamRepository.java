package io.sandplane.sandboxapi.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.Team;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class TeamRepository implements PanacheRepositoryBase<Team, UUID> {

    public Optional<Team> findBySlug(String slug) {
        return find("slug", slug).firstResultOptional();
    }

    /** Locks the team row until the transaction ends: serialises admission decisions of one team across replicas. */
    public Team lock(UUID id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    public List<Team> listOrdered() {
        return list("order by slug");
    }
}
