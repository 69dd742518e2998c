package io.sandplane.reaper.decision;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One thing the reaper decided to do. Sandbox actions go through the provisioner; {@link MarkLost}
 * and {@link ReleaseVmid} are bookkeeping in the database.
 */
public sealed interface ReapAction {

    Rule rule();

    /** Why, in words an operator reads in the event history and the log. */
    String reason();

    /** Since when the action has been due; the cap keeps the most overdue ones. */
    Instant dueSince();

    /** What the action touches, e.g. {@code sandbox:sbx_…} or {@code guest:pve1/123}. */
    String target();

    /** The sandbox whose history records the action, if there is a row to write it to. */
    Optional<String> sandboxId();

    /** A short verb for logs, reports and metric tags. */
    default String verb() {
        return switch (this) {
            case Stop s -> "stop";
            case Pause p -> "pause";
            case Delete d -> "delete";
            case Recover r -> "recover";
            case MarkLost m -> "mark-lost";
            case DeleteGuest g -> "delete-guest";
            case ReleaseVmid v -> "release-vmid";
        };
    }

    /**
     * Destroys a guest, may destroy one, or gives up on one: these count against the per-pass cap
     * and are never taken on a node whose guest list could not be read.
     */
    default boolean destructive() {
        return switch (this) {
            case Delete d -> true;
            case Recover r -> true;
            case MarkLost m -> true;
            case DeleteGuest g -> true;
            case Stop s -> false;
            case Pause p -> false;
            case ReleaseVmid v -> false;
        };
    }

    /** "ttl → stop sandbox:sbx_…: expired at …" */
    default String describe() {
        return rule().id() + " → " + verb() + " " + target() + ": " + reason();
    }

    static String sandboxTarget(String sandboxId) {
        return "sandbox:" + sandboxId;
    }

    /** Graceful stop through the provisioner. */
    record Stop(String id, Rule rule, String reason, Instant dueSince) implements ReapAction {
        public Stop {
            Objects.requireNonNull(id);
        }

        @Override
        public String target() {
            return sandboxTarget(id);
        }

        @Override
        public Optional<String> sandboxId() {
            return Optional.of(id);
        }
    }

    /** Pause through the provisioner (a stop on LXC); wake-on-HTTP brings the sandbox back. */
    record Pause(String id, Rule rule, String reason, Instant dueSince) implements ReapAction {
        public Pause {
            Objects.requireNonNull(id);
        }

        @Override
        public String target() {
            return sandboxTarget(id);
        }

        @Override
        public Optional<String> sandboxId() {
            return Optional.of(id);
        }
    }

    /** Delete the sandbox and its guest through the provisioner (also the retry of a stuck delete). */
    record Delete(String id, Rule rule, String reason, Instant dueSince) implements ReapAction {
        public Delete {
            Objects.requireNonNull(id);
        }

        @Override
        public String target() {
            return sandboxTarget(id);
        }

        @Override
        public Optional<String> sandboxId() {
            return Optional.of(id);
        }
    }

    /** Ask the provisioner to finish or roll back a start that stopped half-way. */
    record Recover(String id, String reason, Instant dueSince) implements ReapAction {
        public Recover {
            Objects.requireNonNull(id);
        }

        @Override
        public Rule rule() {
            return Rule.STUCK_PROVISIONING;
        }

        @Override
        public String target() {
            return sandboxTarget(id);
        }

        @Override
        public Optional<String> sandboxId() {
            return Optional.of(id);
        }
    }

    /** The guest is gone: the row becomes LOST and its VMID is released. */
    record MarkLost(String id, int vmid, String node, String reason, Instant dueSince) implements ReapAction {
        public MarkLost {
            Objects.requireNonNull(id);
            Objects.requireNonNull(node);
        }

        @Override
        public Rule rule() {
            return Rule.LOST;
        }

        @Override
        public String target() {
            return sandboxTarget(id);
        }

        @Override
        public Optional<String> sandboxId() {
            return Optional.of(id);
        }
    }

    /**
     * Destroy a tagged guest no live sandbox owns.
     *
     * @param sandboxTag the guest's {@code sbx_…} tag, if it has one
     * @param rowExists  a sandbox row with that id exists (so the action can be recorded in its history)
     */
    record DeleteGuest(String node, int vmid, String sandboxTag, boolean rowExists, String reason, Instant dueSince)
            implements ReapAction {
        public DeleteGuest {
            Objects.requireNonNull(node);
        }

        @Override
        public Rule rule() {
            return Rule.ORPHAN;
        }

        @Override
        public String target() {
            return "guest:" + node + "/" + vmid;
        }

        @Override
        public Optional<String> sandboxId() {
            return rowExists ? Optional.ofNullable(sandboxTag) : Optional.empty();
        }
    }

    /** Release a VMID allocation no live sandbox needs. */
    record ReleaseVmid(long allocationId, String cluster, int vmid, String owner, boolean rowExists, String reason,
            Instant dueSince) implements ReapAction {

        @Override
        public Rule rule() {
            return Rule.VMID_LEAK;
        }

        @Override
        public String target() {
            return "vmid:" + cluster + "/" + vmid;
        }

        @Override
        public Optional<String> sandboxId() {
            return rowExists ? Optional.ofNullable(owner) : Optional.empty();
        }
    }
}
