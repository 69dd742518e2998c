package io.sandplane.urlrouter.rest;

import io.sandplane.model.api.ExposeServiceRequest;
import io.sandplane.model.api.ServiceRoutesApi;
import io.sandplane.model.api.ServiceView;
import io.sandplane.urlrouter.service.ServiceCatalog;
import io.smallrye.common.annotation.RunOnVirtualThread;
import java.util.List;

/** The internal service-metadata API (port 8083 only; the proxy listener never serves it). */
@RunOnVirtualThread
public class ServiceRoutesResource implements ServiceRoutesApi {

    private final ServiceCatalog catalog;

    public ServiceRoutesResource(ServiceCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public List<ServiceView> list(String sandboxId) {
        return catalog.list(sandboxId);
    }

    @Override
    public ServiceView expose(String sandboxId, String name, ExposeServiceRequest request) {
        return catalog.expose(sandboxId, name, request);
    }

    @Override
    public void hide(String sandboxId, String name) {
        catalog.hide(sandboxId, name);
    }
}
