package io.sandplane.provisioner.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.SandboxService;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class SandboxServiceRepository implements PanacheRepositoryBase<SandboxService, Long> {

    public List<SandboxService> forSandbox(String sandboxId) {
        return list("sandboxId", sandboxId);
    }

    public long deleteForSandbox(String sandboxId) {
        return delete("sandboxId", sandboxId);
    }
}
