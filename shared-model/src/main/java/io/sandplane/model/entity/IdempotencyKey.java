package io.sandplane.model.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** Remembers which sandbox a team's {@code Idempotency-Key} created, and for which request body. */
@Entity
@Table(name = "idempotency_keys")
public class IdempotencyKey {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "team_id", nullable = false)
    public UUID teamId;

    @Column(name = "idem_key", nullable = false)
    public String key;

    /** SHA-256 of the canonical request body: the same key with another body is a conflict. */
    @Column(name = "request_hash", nullable = false)
    public String requestHash;

    @Column(name = "sandbox_id")
    public String sandboxId;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;
}
