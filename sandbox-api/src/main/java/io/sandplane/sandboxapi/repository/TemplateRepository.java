package io.sandplane.sandboxapi.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.Template;
import io.sandplane.model.provider.Provider;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class TemplateRepository implements PanacheRepositoryBase<Template, Long> {

    public List<Template> active(Provider provider) {
        return list("active = true and provider = ?1 order by id", provider);
    }

    public List<Template> activeBySnapshot(String snapshotId) {
        return list("active = true and snapshotId = ?1 order by id", snapshotId);
    }
}
