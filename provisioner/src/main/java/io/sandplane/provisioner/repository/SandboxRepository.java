package io.sandplane.provisioner.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.lifecycle.SandboxStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class SandboxRepository implements PanacheRepositoryBase<Sandbox, String> {

    /** Rows that may own a guest at this VMID (any live status). */
    public List<Sandbox> liveOwnersOf(int vmid) {
        return list("vmid = ?1 and status in ?2", vmid,
                List.of(SandboxStatus.values()).stream().filter(SandboxStatus::isLive).toList());
    }
}
