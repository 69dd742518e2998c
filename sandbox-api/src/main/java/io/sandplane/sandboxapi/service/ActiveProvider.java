package io.sandplane.sandboxapi.service;

import io.sandplane.model.provider.Provider;
import io.sandplane.sandboxapi.config.ApiConfig;
import jakarta.enterprise.context.ApplicationScoped;

/** The provider new sandboxes run on ({@code SANDPLANE_PROVIDER}); a wrong name stops the start-up. */
@ApplicationScoped
public class ActiveProvider {

    private final Provider provider;

    public ActiveProvider(ApiConfig config) {
        this.provider = Provider.fromId(config.provider());
    }

    public Provider get() {
        return provider;
    }
}
