package io.sandplane.model.entity;

import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import java.time.Instant;

/**
 * The one way to change a sandbox's status or record what happened to it: every transition is
 * checked against the state machine and yields the event to persist with it.
 */
public final class SandboxEvents {

    public static final String SANDBOX_API = "sandbox-api";
    public static final String PROVISIONER = "provisioner";
    public static final String REAPER = "reaper";
    public static final String URL_ROUTER = "url-router";

    private SandboxEvents() {
    }

    /**
     * Moves the sandbox to {@code to} (throwing {@link io.sandplane.model.lifecycle.IllegalTransitionException}
     * if that is not legal) and returns the STATUS event; the caller persists both in one transaction.
     */
    public static SandboxEvent transition(Sandbox sandbox, SandboxStatus to, String actor, String detail, Instant now) {
        SandboxStatus from = sandbox.status;
        SandboxStatus.requireTransition(sandbox.id, from, to);
        sandbox.status = to;
        sandbox.statusChangedAt = now;
        sandbox.updatedAt = now;
        SandboxEvent event = event(sandbox.id, SandboxEvent.Type.STATUS, actor, detail, now);
        event.fromStatus = from;
        event.toStatus = to;
        return event;
    }

    /** Records a completed provisioning step on the row and returns its STEP event. */
    public static SandboxEvent step(Sandbox sandbox, ProvisionStep step, String actor, String detail, Instant now) {
        sandbox.step = step;
        sandbox.updatedAt = now;
        SandboxEvent event = event(sandbox.id, SandboxEvent.Type.STEP, actor, detail, now);
        event.step = step;
        return event;
    }

    /** Something acted on the sandbox; {@code detail} says what and why. */
    public static SandboxEvent action(String sandboxId, String actor, String detail, Instant now) {
        return event(sandboxId, SandboxEvent.Type.ACTION, actor, detail, now);
    }

    /** An operation failed; {@code detail} carries the cause. */
    public static SandboxEvent error(String sandboxId, String actor, String detail, Instant now) {
        return event(sandboxId, SandboxEvent.Type.ERROR, actor, detail, now);
    }

    private static SandboxEvent event(String sandboxId, SandboxEvent.Type type, String actor, String detail, Instant now) {
        SandboxEvent event = new SandboxEvent();
        event.sandboxId = sandboxId;
        event.type = type;
        event.actor = actor;
        event.detail = detail;
        event.at = now;
        return event;
    }
}
