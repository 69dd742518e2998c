package io.sandplane.provisioner.support;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.entity.SandboxService;
import io.sandplane.model.entity.Team;
import io.sandplane.model.entity.VmidAllocation;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.lifecycle.TtlAction;
import io.sandplane.model.provider.Provider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Rows as sandbox-api would insert them (a team, a PROVISIONING sandbox), and read-backs for
 * assertions. Every test makes its own rows with fresh ids, so tests never share fixtures.
 */
@ApplicationScoped
public class Fixtures {

    /** The bundled catalog's standard preset (4 copies on pve1/pve2) and performance preset (pve1, pve3). */
    public static final String STANDARD = "snapshot_std4c8g1";
    public static final String PERFORMANCE = "snapshot_perf6c8g1";

    private final EntityManager em;

    public Fixtures(EntityManager em) {
        this.em = em;
    }

    public SandboxBuilder sandbox() {
        return new SandboxBuilder();
    }

    public Team team(String slug) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Team team = new Team();
            team.id = UUID.randomUUID();
            team.slug = slug;
            team.name = "Team " + slug;
            team.maxLiveSandboxes = 1000;
            team.startsPerHour = 10_000;
            team.createdAt = Instant.now();
            team.updatedAt = team.createdAt;
            em.persist(team);
            return team;
        });
    }

    public Sandbox row(String id) {
        return QuarkusTransaction.requiringNew().call(() -> em.find(Sandbox.class, id));
    }

    public List<SandboxEvent> events(String id) {
        return QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                "from SandboxEvent where sandboxId = ?1 order by id", SandboxEvent.class).setParameter(1, id).getResultList());
    }

    public List<SandboxService> services(String id) {
        return QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                "from SandboxService where sandboxId = ?1 order by port", SandboxService.class).setParameter(1, id)
                .getResultList());
    }

    /** VMIDs a sandbox holds in {@code vmid_allocations}. */
    public List<Integer> heldVmids(String id) {
        return QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                "select a.vmid from VmidAllocation a where a.sandboxId = ?1 and a.state = ?2", Integer.class)
                .setParameter(1, id).setParameter(2, VmidAllocation.State.ALLOCATED).getResultList());
    }

    /** Where the VMID search of a cluster continues (the next VMID a start will try). */
    public int vmidCursor(String cluster) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<?> rows = em.createNativeQuery("select next_vmid from vmid_cursors where cluster = ?1")
                    .setParameter(1, cluster).getResultList();
            return rows.isEmpty() ? 200 : ((Number) rows.getFirst()).intValue();
        });
    }

    /** Switches template copies on or off in the {@code templates} table (as a catalog change would). */
    public void templateActive(int templateVmid, boolean active) {
        QuarkusTransaction.requiringNew().run(() -> em.createQuery(
                "update Template set active = ?1 where templateVmid = ?2")
                .setParameter(1, active).setParameter(2, templateVmid).executeUpdate());
    }

    /** Changes a row behind the provisioner's back (to stage a crash or a stale state). */
    public void update(String id, java.util.function.Consumer<Sandbox> change) {
        QuarkusTransaction.requiringNew().run(() -> change.accept(em.find(Sandbox.class, id)));
    }

    /** Holds a VMID for a sandbox the way a crashed allocation would have left it. */
    public void holdVmid(String cluster, int vmid, String sandboxId) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into vmid_allocations (cluster, vmid, sandbox_id, state, allocated_at)
                values (?1, ?2, ?3, 'ALLOCATED', now())
                on conflict (cluster, vmid) do update set sandbox_id = excluded.sandbox_id, state = 'ALLOCATED'
                """).setParameter(1, cluster).setParameter(2, vmid).setParameter(3, sandboxId).executeUpdate());
    }

    public final class SandboxBuilder {
        private String teamSlug;
        private String snapshotId = STANDARD;
        private Provider provider = Provider.PVE_LXC;
        private SandboxStatus status = SandboxStatus.PROVISIONING;
        private Map<String, String> metadata = Map.of("purpose", "test");

        public SandboxBuilder team(String slug) {
            this.teamSlug = slug;
            return this;
        }

        public SandboxBuilder snapshot(String snapshotId) {
            this.snapshotId = snapshotId;
            return this;
        }

        public SandboxBuilder provider(Provider provider) {
            this.provider = provider;
            return this;
        }

        public SandboxBuilder status(SandboxStatus status) {
            this.status = status;
            return this;
        }

        /** Inserts the row (and a fresh team unless one was named) and returns its id. */
        public String insert() {
            Team team = teamSlug == null ? Fixtures.this.team("t" + UUID.randomUUID().toString().substring(0, 8)) : null;
            return QuarkusTransaction.requiringNew().call(() -> {
                Sandbox s = new Sandbox();
                s.id = SandboxIds.newId();
                s.teamId = team != null ? team.id
                        : em.createQuery("select t.id from Team t where t.slug = ?1", UUID.class)
                                .setParameter(1, teamSlug).getSingleResult();
                s.provider = provider;
                s.snapshotId = snapshotId;
                s.status = status;
                s.ttlSeconds = 3600;
                s.ttlAction = TtlAction.STOP;
                s.metadata = new java.util.HashMap<>(metadata);
                s.createdAt = Instant.now();
                s.updatedAt = s.createdAt;
                s.statusChangedAt = s.createdAt;
                em.persist(s);
                return s.id;
            });
        }
    }
}
