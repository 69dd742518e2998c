package io.sandplane.provisioner.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.sandplane.model.entity.SandboxEvent;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class SandboxEventRepository implements PanacheRepositoryBase<SandboxEvent, Long> {
}
