package io.sandplane.provisioner.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.Template;
import io.sandplane.model.provider.Provider;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class TemplateRepository implements PanacheRepositoryBase<Template, Long> {

    public List<Template> bySnapshotId(String snapshotId) {
        return list("snapshotId = ?1 order by templateVmid", snapshotId);
    }

    public List<Template> byPresetVersion(Provider provider, String presetId, int version) {
        return list("provider = ?1 and presetId = ?2 and version = ?3 order by templateVmid", provider, presetId, version);
    }

    public long countByPreset(Provider provider, String presetId) {
        return count("provider = ?1 and presetId = ?2", provider, presetId);
    }

    public List<Template> byTemplateVmid(Provider provider, int templateVmid) {
        return list("provider = ?1 and templateVmid = ?2", provider, templateVmid);
    }

    public List<Template> active(Provider provider) {
        return list("provider = ?1 and active = true order by templateVmid", provider);
    }
}
