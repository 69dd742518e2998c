package io.sandplane.reaper.testing;

import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.entity.Team;
import io.sandplane.model.entity.VmidAllocation;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.lifecycle.TtlAction;
import io.sandplane.model.provider.Provider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test data written straight into the database, as sandbox-api and the provisioner would leave it:
 * a team, sandbox rows in any state, VMID allocations. Every row gets fresh ids and VMIDs.
 */
@ApplicationScoped
public class Fixtures {

    private static final AtomicInteger VMIDS = new AtomicInteger(20_000 + ThreadLocalRandom.current().nextInt(100_000) * 10);

    private final EntityManager em;
    private volatile UUID teamId;

    public Fixtures(EntityManager em) {
        this.em = em;
    }

    public static int freshVmid() {
        return VMIDS.getAndIncrement();
    }

    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** A sandbox row to insert; by default RUNNING on pve1 with a fresh VMID, no TTL, no idle timeout. */
    public SandboxSpec sandbox() {
        return new SandboxSpec(this);
    }

    @Transactional
    public UUID team() {
        if (teamId == null) {
            Team team = new Team();
            team.id = UUID.randomUUID();
            team.slug = "reaper-" + team.id.toString().substring(0, 8);
            team.name = "Reaper tests";
            team.maxLiveSandboxes = 10_000;
            team.startsPerHour = 10_000;
            team.createdAt = now();
            team.updatedAt = team.createdAt;
            em.persist(team);
            teamId = team.id;
        }
        return teamId;
    }

    @Transactional
    Sandbox insert(SandboxSpec spec) {
        Sandbox s = new Sandbox();
        s.id = spec.id;
        s.teamId = team();
        s.provider = Provider.PVE_LXC;
        s.snapshotId = "snapshot_std4c8g1";
        s.status = spec.status;
        s.step = spec.step;
        s.vmid = spec.vmid;
        s.node = spec.node;
        s.ttlSeconds = 3600;
        s.ttlAction = spec.ttlAction;
        s.expiresAt = spec.expiresAt;
        s.idleTimeoutSeconds = spec.idleTimeoutSeconds;
        s.lastActivityAt = spec.lastActivityAt;
        s.createdAt = spec.statusChangedAt;
        s.statusChangedAt = spec.statusChangedAt;
        s.updatedAt = spec.updatedAt;
        em.persist(s);
        if (spec.allocate && spec.vmid != null) {
            allocate(s.id, spec.vmid, spec.statusChangedAt);
        }
        return s;
    }

    @Transactional
    public VmidAllocation allocate(String sandboxId, int vmid, Instant at) {
        VmidAllocation a = new VmidAllocation();
        a.cluster = "default";
        a.vmid = vmid;
        a.sandboxId = sandboxId;
        a.state = VmidAllocation.State.ALLOCATED;
        a.allocatedAt = at;
        em.persist(a);
        return a;
    }

    @Transactional
    public Sandbox reload(String id) {
        Sandbox s = em.find(Sandbox.class, id);
        if (s != null) {
            em.detach(s);
        }
        return s;
    }

    @Transactional
    public VmidAllocation allocation(long id) {
        VmidAllocation a = em.find(VmidAllocation.class, id);
        if (a != null) {
            em.detach(a);
        }
        return a;
    }

    @Transactional
    public List<VmidAllocation> allocations(String sandboxId) {
        return em.createQuery("from VmidAllocation where sandboxId = :id order by id", VmidAllocation.class)
                .setParameter("id", sandboxId).getResultList();
    }

    @Transactional
    public List<SandboxEvent> events(String sandboxId) {
        return em.createQuery("from SandboxEvent where sandboxId = :id order by id", SandboxEvent.class)
                .setParameter("id", sandboxId).getResultList();
    }

    /** Moves the row's clocks back, as if everything about it happened {@code by} earlier. */
    @Transactional
    public void age(String sandboxId, Duration by) {
        em.createNativeQuery("""
                update sandboxes set status_changed_at = status_changed_at - make_interval(secs => :s),
                  updated_at = updated_at - make_interval(secs => :s), created_at = created_at - make_interval(secs => :s),
                  last_activity_at = last_activity_at - make_interval(secs => :s)
                where id = :id""").setParameter("s", by.toSeconds()).setParameter("id", sandboxId).executeUpdate();
    }

    @Transactional
    public void set(String sandboxId, String column, Object value) {
        em.createNativeQuery("update sandboxes set " + column + " = :v where id = :id")
                .setParameter("v", value).setParameter("id", sandboxId).executeUpdate();
    }

    /** Forgets every sandbox, allocation and orphan sighting: a reconciler's test starts from a known world. */
    @Transactional
    public void clear() {
        em.createNativeQuery("delete from reaper_orphan_sightings").executeUpdate();
        em.createNativeQuery("delete from vmid_allocations").executeUpdate();
        em.createNativeQuery("delete from sandboxes").executeUpdate();
    }

    @Transactional
    public void sighting(String node, int vmid, String sandboxId, Instant firstSeen) {
        em.createNativeQuery("""
                insert into reaper_orphan_sightings (node, vmid, sandbox_id, first_seen_at) values (:n, :v, :s, :t)
                on conflict (node, vmid) do update set sandbox_id = excluded.sandbox_id, first_seen_at = excluded.first_seen_at""")
                .setParameter("n", node).setParameter("v", vmid).setParameter("s", sandboxId).setParameter("t", firstSeen)
                .executeUpdate();
    }

    @Transactional
    public Instant firstSeen(String node, int vmid) {
        List<?> r = em.createNativeQuery("select first_seen_at from reaper_orphan_sightings where node = :n and vmid = :v",
                Instant.class).setParameter("n", node).setParameter("v", vmid).getResultList();
        return r.isEmpty() ? null : (Instant) r.getFirst();
    }

    public static final class SandboxSpec {
        private final Fixtures fixtures;
        private final String id = SandboxIds.newId();
        private SandboxStatus status = SandboxStatus.RUNNING;
        private ProvisionStep step = ProvisionStep.EXECD_HEALTHY;
        private Integer vmid = freshVmid();
        private String node = "pve1";
        private TtlAction ttlAction = TtlAction.STOP;
        private Instant expiresAt;
        private Integer idleTimeoutSeconds;
        private Instant lastActivityAt;
        private Instant statusChangedAt = now();
        private Instant updatedAt = statusChangedAt;
        private boolean allocate = true;

        private SandboxSpec(Fixtures fixtures) {
            this.fixtures = fixtures;
        }

        public SandboxSpec status(SandboxStatus s) {
            this.status = s;
            return this;
        }

        public SandboxSpec step(ProvisionStep s) {
            this.step = s;
            return this;
        }

        public SandboxSpec on(String node, Integer vmid) {
            this.node = node;
            this.vmid = vmid;
            return this;
        }

        public SandboxSpec expiredAgo(Duration ago, TtlAction action) {
            this.expiresAt = now().minus(ago);
            this.ttlAction = action;
            return this;
        }

        public SandboxSpec statusChangedAgo(Duration ago) {
            this.statusChangedAt = now().minus(ago);
            this.updatedAt = statusChangedAt;
            return this;
        }

        public SandboxSpec idle(Duration timeout, Duration lastActivityAgo) {
            this.idleTimeoutSeconds = (int) timeout.toSeconds();
            this.lastActivityAt = lastActivityAgo == null ? null : now().minus(lastActivityAgo);
            return this;
        }

        public SandboxSpec withoutAllocation() {
            this.allocate = false;
            return this;
        }

        public Sandbox insert() {
            return fixtures.insert(this);
        }
    }
}
