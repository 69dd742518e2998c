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

    /**
     * Inserts new rows with one statement (identity keys keep Hibernate from batching them); they
     * are not attached to the session.
     */
    public void insertAll(List<SandboxService> rows) {
        if (rows.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder(
                "insert into sandbox_services (sandbox_id, name, port, auth_mode, url, created_at) values ");
        for (int i = 0; i < rows.size(); i++) {
            int p = i * 6;
            sql.append(i == 0 ? "" : ", ").append("(?").append(p + 1).append(", ?").append(p + 2).append(", ?")
                    .append(p + 3).append(", ?").append(p + 4).append(", ?").append(p + 5).append(", ?").append(p + 6)
                    .append(")");
        }
        var query = getEntityManager().createNativeQuery(sql.toString());
        for (int i = 0; i < rows.size(); i++) {
            SandboxService s = rows.get(i);
            int p = i * 6;
            query.setParameter(p + 1, s.sandboxId).setParameter(p + 2, s.name).setParameter(p + 3, s.port)
                    .setParameter(p + 4, s.authMode.name()).setParameter(p + 5, s.url).setParameter(p + 6, s.createdAt);
        }
        query.executeUpdate();
    }

    public long deleteForSandbox(String sandboxId) {
        return delete("sandboxId", sandboxId);
    }
}
