package io.sandplane.model.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A named, time-bound lease (e.g. reaper leadership): held by {@code holder} until {@code expiresAt}. */
@Entity
@Table(name = "leases")
public class Lease {

    @Id
    public String name;

    @Column(nullable = false)
    public String holder;

    @Column(name = "acquired_at", nullable = false)
    public Instant acquiredAt;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;
}
