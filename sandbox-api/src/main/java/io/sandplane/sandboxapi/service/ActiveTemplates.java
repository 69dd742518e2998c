package io.sandplane.sandboxapi.service;

import io.quarkus.cache.CacheResult;
import io.sandplane.model.entity.Template;
import io.sandplane.model.provider.Provider;
import io.sandplane.sandboxapi.repository.TemplateRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;

/**
 * The active templates of a provider, in catalog order, cached for a few seconds: they change only
 * when a service seeds a new catalog at its start, and every start and config request reads them.
 */
@ApplicationScoped
public class ActiveTemplates {

    private final TemplateRepository templates;

    public ActiveTemplates(TemplateRepository templates) {
        this.templates = templates;
    }

    /** Detached rows: read them, never change them. */
    @CacheResult(cacheName = "templates")
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public List<Template> of(Provider provider) {
        return List.copyOf(templates.active(provider));
    }
}
