package io.sandplane.urlrouter.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import io.sandplane.model.entity.SandboxEvent;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class SandboxEventRepository implements PanacheRepository<SandboxEvent> {
}
