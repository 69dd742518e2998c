package io.sandplane.provisioner.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.Template;
import io.sandplane.model.provider.Provider;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class TemplateRepository implements PanacheRepositoryBase<Template, Long> {

    /** Every row, copies of a snapshot in VMID order (the order placement tries them in). */
    public List<Template> all() {
        return list("order by templateVmid");
    }

    public List<Template> active(Provider provider) {
        return list("provider = ?1 and active = true order by templateVmid", provider);
    }
}
