package io.sandplane.model.entity;

import io.sandplane.model.provider.Provider;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One template guest holding one version of a preset; a preset version may have several copies
 * (on one or more nodes). Seeded from the template catalog; rows that leave the catalog are kept
 * with {@code active = false} so older sandboxes still say where they came from.
 */
@Entity
@Table(name = "templates")
public class Template {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Convert(converter = ProviderConverter.class)
    @Column(nullable = false)
    public Provider provider;

    @Column(name = "preset_id", nullable = false)
    public String presetId;

    @Column(nullable = false)
    public int version;

    @Column(name = "snapshot_id", nullable = false)
    public String snapshotId;

    @Column(nullable = false)
    public String node;

    @Column(name = "template_vmid", nullable = false)
    public int templateVmid;

    @Column(nullable = false)
    public String label;

    public String cpu;

    public String memory;

    public String disk;

    public String description;

    @Column(nullable = false)
    public boolean active;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
