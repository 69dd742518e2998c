package io.sandplane.model.entity;

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
 * A VMID held for a sandbox. PVE's {@code /cluster/nextid} reserves nothing, so the reservation
 * lives here: {@code (cluster, vmid)} is unique, and a released row is reused only after the
 * allocator has rotated through the whole range.
 */
@Entity
@Table(name = "vmid_allocations")
public class VmidAllocation {

    public enum State {
        ALLOCATED,
        RELEASED
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String cluster;

    @Column(nullable = false)
    public int vmid;

    @Column(name = "sandbox_id")
    public String sandboxId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public State state;

    @Column(name = "allocated_at", nullable = false)
    public Instant allocatedAt;

    @Column(name = "released_at")
    public Instant releasedAt;
}
