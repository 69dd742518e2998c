package io.sandplane.reaper.repository;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** A guest seen without an owner (the reaper's own table, V30). */
@Entity
@Table(name = "reaper_orphan_sightings")
@IdClass(GuestSighting.Key.class)
public class GuestSighting {

    @Id
    public String node;

    @Id
    public int vmid;

    @Column(name = "sandbox_id")
    public String sandboxId;

    @Column(name = "first_seen_at", nullable = false)
    public Instant firstSeenAt;

    public static class Key implements Serializable {
        public String node;
        public int vmid;

        public Key() {
        }

        public Key(String node, int vmid) {
            this.node = node;
            this.vmid = vmid;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.vmid == vmid && Objects.equals(k.node, node);
        }

        @Override
        public int hashCode() {
            return Objects.hash(node, vmid);
        }
    }
}
