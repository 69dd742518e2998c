package io.sandplane.urlrouter.service;

import io.sandplane.model.InvalidValueException;
import io.sandplane.model.service.PublicDomain;
import io.sandplane.urlrouter.config.RouterConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** The configured public domain, checked once at start so a typo stops the service with a clear message. */
@ApplicationScoped
public class PublicDomains {

    private final Optional<PublicDomain> domain;

    public PublicDomains(RouterConfig config) {
        try {
            this.domain = config.publicDomain().map(String::trim).filter(s -> !s.isEmpty())
                    .map(host -> PublicDomain.of(host, config.publicScheme().map(String::trim).filter(s -> !s.isEmpty())));
        } catch (InvalidValueException e) {
            throw new IllegalStateException("PVE_PUBLIC_DOMAIN / SANDPLANE_PUBLIC_SCHEME: " + e.getMessage(), e);
        }
    }

    public Optional<PublicDomain> domain() {
        return domain;
    }
}
