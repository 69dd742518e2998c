package io.sandplane.reaper.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import io.sandplane.model.entity.Template;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.Set;

@ApplicationScoped
public class TemplateRepository implements PanacheRepository<Template> {

    /** VMIDs of every template copy the catalog has ever listed, active or not: never deleted by the reaper. */
    public Set<Integer> vmids() {
        return new HashSet<>(getEntityManager().createQuery("select t.templateVmid from Template t", Integer.class)
                .getResultList());
    }
}
