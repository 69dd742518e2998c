package io.sandplane.model.entity;

import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** Append-only history of a sandbox: feeds {@code GET …/events} and SSE progress. */
@Entity
@Table(name = "sandbox_events")
public class SandboxEvent {

    public enum Type {
        /** The status changed ({@code fromStatus → toStatus}). */
        STATUS,
        /** A provisioning step completed. */
        STEP,
        /** Something acted on the sandbox (a command, a reaper rule); {@code detail} says what and why. */
        ACTION,
        /** An operation failed; {@code detail} carries the cause. */
        ERROR
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "sandbox_id", nullable = false)
    public String sandboxId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Type type;

    @Enumerated(EnumType.STRING)
    @Column(name = "from_status")
    public SandboxStatus fromStatus;

    @Enumerated(EnumType.STRING)
    @Column(name = "to_status")
    public SandboxStatus toStatus;

    @Enumerated(EnumType.STRING)
    public ProvisionStep step;

    public String detail;

    /** Which service wrote it: sandbox-api, provisioner, reaper, url-router. */
    @Column(nullable = false)
    public String actor;

    @Column(nullable = false)
    public Instant at;
}
