package io.sandplane.reaper.service;

import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.entity.SandboxEvents;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.reaper.decision.OrphanSighting;
import io.sandplane.reaper.decision.ReapAction;
import io.sandplane.reaper.decision.SandboxRow;
import io.sandplane.reaper.decision.VmidHolding;
import io.sandplane.reaper.repository.GuestSightingRepository;
import io.sandplane.reaper.repository.SandboxEventRepository;
import io.sandplane.reaper.repository.SandboxRowRepository;
import io.sandplane.reaper.repository.TemplateRepository;
import io.sandplane.reaper.repository.VmidAllocationRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** The reaper's reads and its bookkeeping writes, each in its own short transaction. */
@ApplicationScoped
public class ReaperStore {

    private static final Set<SandboxStatus> SETTLED = EnumSet.of(SandboxStatus.RUNNING, SandboxStatus.PAUSED,
            SandboxStatus.STOPPED);

    private final SandboxRowRepository rows;
    private final VmidAllocationRepository vmids;
    private final GuestSightingRepository sightings;
    private final TemplateRepository templates;
    private final SandboxEventRepository events;

    public ReaperStore(SandboxRowRepository rows, VmidAllocationRepository vmids, GuestSightingRepository sightings,
            TemplateRepository templates, SandboxEventRepository events) {
        this.rows = rows;
        this.vmids = vmids;
        this.sightings = sightings;
        this.templates = templates;
        this.events = events;
    }

    @Transactional
    public List<SandboxRow> liveRows() {
        return rows.live();
    }

    /** What a pass reads after the guest list, in one transaction. */
    public record AfterGuests(List<SandboxRow> rowsNamedByGuests, List<OrphanSighting> sightings,
            List<VmidHolding> vmidHoldings, Set<Integer> templateVmids) {
    }

    /**
     * The rows named by guests that the first read did not explain (by sandbox tag, and live rows by
     * VMID), the orphan sightings, the VMIDs that may be unowned and the template VMIDs.
     */
    @Transactional
    public AfterGuests afterGuests(Collection<String> ids, Collection<Integer> vmids) {
        List<SandboxRow> named = ids.isEmpty() && vmids.isEmpty() ? List.of() : rows.named(ids, vmids);
        return new AfterGuests(named, sightings.sightings(), this.vmids.unowned(), templates.vmids());
    }

    @Transactional
    public Optional<SandboxRow> row(String id) {
        return rows.row(id);
    }

    @Transactional
    public List<SandboxRow> ownersOf(int vmid, String sandboxTag) {
        return rows.ownersOf(vmid, sandboxTag);
    }

    @Transactional
    public void updateSightings(List<OrphanSighting> save, List<OrphanSighting> forget) {
        forget.forEach(s -> sightings.forget(s.node(), s.vmid()));
        save.forEach(sightings::save);
    }

    @Transactional
    public void forgetSighting(String node, int vmid) {
        sightings.forget(node, vmid);
    }

    /** An ACTION event on the sandbox: the reaper acts, by which rule and why. */
    @Transactional
    public void recordAction(String sandboxId, ReapAction action, Instant now) {
        events.persist(SandboxEvents.action(sandboxId, SandboxEvents.REAPER, eventDetail(action), now));
    }

    /**
     * An ERROR event, unless the sandbox's latest event already says exactly this: a target that
     * keeps failing does not fill its history with one copy per pass.
     */
    @Transactional
    public void recordFailure(String sandboxId, String detail, Instant now) {
        Optional<SandboxEvent> latest = events.latest(sandboxId);
        if (latest.isPresent() && latest.get().type == SandboxEvent.Type.ERROR
                && SandboxEvents.REAPER.equals(latest.get().actor) && detail.equals(latest.get().detail)) {
            return;
        }
        events.persist(SandboxEvents.error(sandboxId, SandboxEvents.REAPER, detail, now));
    }

    /**
     * The guest is gone: the row becomes LOST and its VMIDs are released, in one transaction, if the
     * row is still settled on that guest (a row that moved on meanwhile is left alone).
     */
    @Transactional
    public boolean markLost(ReapAction.MarkLost action, Instant now) {
        Sandbox sandbox = rows.findById(action.id(), LockModeType.PESSIMISTIC_WRITE);
        if (sandbox == null || !SETTLED.contains(sandbox.status) || !Objects.equals(sandbox.vmid, action.vmid())) {
            return false;
        }
        events.persist(SandboxEvents.action(sandbox.id, SandboxEvents.REAPER, eventDetail(action), now));
        events.persist(SandboxEvents.transition(sandbox, SandboxStatus.LOST, SandboxEvents.REAPER,
                "guest " + action.vmid() + " no longer exists", now));
        sandbox.error = "the guest (VMID " + action.vmid() + " on " + action.node() + ") vanished from the hypervisor";
        vmids.releaseFor(sandbox.id, now);
        return true;
    }

    @Transactional
    public boolean releaseVmid(ReapAction.ReleaseVmid action, Instant now) {
        if (!vmids.releaseIfUnowned(action.allocationId(), now)) {
            return false;
        }
        if (action.rowExists() && action.owner() != null && rows.count("id", action.owner()) > 0) {
            events.persist(SandboxEvents.action(action.owner(), SandboxEvents.REAPER, eventDetail(action), now));
        }
        return true;
    }

    /**
     * Running sandboxes with a guest for the isolation audit: first those never checked or whose status changed
     * since their last check (a resume re-applies the firewall, so an old finding may no longer hold), then the
     * ones checked longest ago.
     */
    @Transactional
    public List<String> isolationAuditBatch(int limit) {
        return rows.getEntityManager().createQuery("select s.id from Sandbox s where s.status = :running"
                + " and s.vmid is not null order by case when s.isolationCheckedAt is null"
                + " or s.statusChangedAt > s.isolationCheckedAt then 0 else 1 end, s.isolationCheckedAt, s.id", String.class)
                .setParameter("running", SandboxStatus.RUNNING)
                .setMaxResults(limit)
                .getResultList();
    }

    /** What recording an audit's finding changed. */
    public enum IsolationChange {
        /** The same finding as recorded before. */
        UNCHANGED,
        /** A problem not recorded before (or another one than recorded): the url-router stops routing, an ERROR event says why. */
        REPORTED,
        /** The recorded problem is gone: the url-router routes again, an ACTION event says so. */
        CLEARED,
        /** Not recorded: the sandbox is no longer running, or its status changed while it was being checked. */
        STALE
    }

    /**
     * Records what the audit found ({@code problem} null: isolated) if the sandbox is still running and its status
     * did not change since {@code askedAt} (a pause or resume in between makes the finding meaningless).
     */
    @Transactional
    public IsolationChange recordIsolation(String sandboxId, String problem, Instant askedAt, Instant checkedAt) {
        Sandbox sandbox = rows.findById(sandboxId, LockModeType.PESSIMISTIC_WRITE);
        if (sandbox == null || sandbox.status != SandboxStatus.RUNNING
                || (sandbox.statusChangedAt != null && sandbox.statusChangedAt.isAfter(askedAt))) {
            return IsolationChange.STALE;
        }
        String before = sandbox.isolationProblem;
        sandbox.isolationProblem = problem;
        sandbox.isolationCheckedAt = checkedAt;
        if (Objects.equals(before, problem)) {
            return IsolationChange.UNCHANGED;
        }
        if (problem == null) {
            events.persist(SandboxEvents.action(sandboxId, SandboxEvents.REAPER,
                    "reaper isolation: the guest is isolated again; the proxy routes to it again", checkedAt));
            return IsolationChange.CLEARED;
        }
        events.persist(SandboxEvents.error(sandboxId, SandboxEvents.REAPER,
                "reaper isolation: " + problem + "; the proxy no longer routes to this sandbox", checkedAt));
        return IsolationChange.REPORTED;
    }

    /** "reaper ttl: stop — expired at …" */
    static String eventDetail(ReapAction action) {
        String what = switch (action) {
            case ReapAction.DeleteGuest g -> "delete guest " + g.node() + "/" + g.vmid();
            case ReapAction.ReleaseVmid v -> "release VMID " + v.vmid();
            default -> action.verb();
        };
        return "reaper " + action.rule().id() + ": " + what + " — " + action.reason();
    }
}
