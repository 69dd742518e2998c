package io.sandplane.model.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** A tenant: owns API keys and sandboxes, and carries its quotas. */
@Entity
@Table(name = "teams")
public class Team {

    @Id
    public UUID id;

    /** Lower-case letters, digits and hyphens; also written into guest tags ({@code team-<slug>}). */
    @Column(nullable = false, unique = true)
    public String slug;

    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public boolean disabled;

    @Column(name = "max_live_sandboxes", nullable = false)
    public int maxLiveSandboxes;

    @Column(name = "starts_per_hour", nullable = false)
    public int startsPerHour;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Version
    public long version;
}
