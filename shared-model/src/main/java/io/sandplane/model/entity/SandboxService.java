package io.sandplane.model.entity;

import io.sandplane.model.service.AuthMode;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A port of a sandbox exposed through the proxy. URLs are stored, not derived, because what was
 * known when they were made (public domain, search domain, IP) may change later.
 */
@Entity
@Table(name = "sandbox_services")
public class SandboxService {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "sandbox_id", nullable = false)
    public String sandboxId;

    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public int port;

    @Enumerated(EnumType.STRING)
    @Column(name = "auth_mode", nullable = false)
    public AuthMode authMode;

    /** The URL users open (public proxy URL when a public domain is configured). */
    @Column(nullable = false)
    public String url;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
