package io.sandplane.reaper.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.reaper.decision.OrphanSighting;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class GuestSightingRepository implements PanacheRepositoryBase<GuestSighting, GuestSighting.Key> {

    public List<OrphanSighting> sightings() {
        return listAll().stream().map(s -> new OrphanSighting(s.node, s.vmid, s.sandboxId, s.firstSeenAt)).toList();
    }

    /** Inserts or replaces the sighting of the guest at (node, vmid). */
    public void save(OrphanSighting s) {
        GuestSighting row = findById(new GuestSighting.Key(s.node(), s.vmid()));
        if (row == null) {
            row = new GuestSighting();
            row.node = s.node();
            row.vmid = s.vmid();
            row.sandboxId = s.sandboxId();
            row.firstSeenAt = s.firstSeenAt();
            persist(row);
        } else {
            row.sandboxId = s.sandboxId();
            row.firstSeenAt = s.firstSeenAt();
        }
    }

    public void forget(String node, int vmid) {
        delete("node = ?1 and vmid = ?2", node, vmid);
    }
}
