package io.sandplane.bench;

import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.entity.SandboxService;
import io.sandplane.model.entity.Team;
import io.sandplane.model.entity.VmidAllocation;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.lifecycle.TtlAction;
import io.sandplane.model.provider.Provider;
import io.sandplane.model.service.AuthMode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;

/**
 * The rows a scenario needs, written through the shared-model entities the services and the
 * provisioner's test fixtures persist (plain Hibernate here, no Quarkus), so the benchmarks state
 * no schema of their own. The tables exist already: every scenario seeds after the services it
 * starts have run their Flyway migrations.
 */
final class BenchDatabase implements AutoCloseable {

    /** The bundled catalog's standard snapshot, as a start of the default preset records it. */
    static final String STANDARD = "snapshot_std4c8g1";
    static final String STANDARD_PRESET = "4vcpu_8gb_32gb";

    private final SessionFactory sessions;

    private BenchDatabase(SessionFactory sessions) {
        this.sessions = sessions;
    }

    static BenchDatabase open(EmbeddedPostgres pg) {
        // Batched inserts go out as multi-row statements: the reaper scenario seeds 20,000 rows.
        String url = pg.jdbcUrl() + (pg.jdbcUrl().contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
        SessionFactory sessions = new Configuration()
                .addAnnotatedClass(Team.class)
                .addAnnotatedClass(Sandbox.class)
                .addAnnotatedClass(SandboxService.class)
                .addAnnotatedClass(SandboxEvent.class)
                .addAnnotatedClass(VmidAllocation.class)
                .setProperty("hibernate.connection.url", url)
                .setProperty("hibernate.connection.username", EmbeddedPostgres.USER)
                .setProperty("hibernate.connection.password", "")
                .setProperty("hibernate.jdbc.batch_size", "1000")
                .setProperty("hibernate.connection.pool_size", "2")
                .buildSessionFactory();
        return new BenchDatabase(sessions);
    }

    /** A team with quotas no benchmark reaches. */
    static Team team(String slugPrefix, String name) {
        Team team = new Team();
        team.id = UUID.randomUUID();
        team.slug = slugPrefix + "-" + team.id.toString().substring(0, 8);
        team.name = name;
        team.maxLiveSandboxes = 100_000;
        team.startsPerHour = 100_000;
        team.createdAt = Instant.now();
        team.updatedAt = team.createdAt;
        return team;
    }

    /** A sandbox of the standard snapshot as sandbox-api admits it (PROVISIONING, TTL one hour, stop); callers move it on. */
    static Sandbox sandbox(UUID teamId) {
        Sandbox s = new Sandbox();
        s.id = SandboxIds.newId();
        s.teamId = teamId;
        s.provider = Provider.PVE_LXC;
        s.snapshotId = STANDARD;
        s.status = SandboxStatus.PROVISIONING;
        s.ttlSeconds = 3600;
        s.ttlAction = TtlAction.STOP;
        s.createdAt = Instant.now();
        s.updatedAt = s.createdAt;
        s.statusChangedAt = s.createdAt;
        return s;
    }

    /** The same sandbox as the provisioner leaves it once started on {@code node} as {@code vmid}. */
    static Sandbox running(Sandbox s, int vmid, String node) {
        s.status = SandboxStatus.RUNNING;
        s.step = io.sandplane.model.lifecycle.ProvisionStep.EXECD_HEALTHY;
        s.presetId = STANDARD_PRESET;
        s.templateVersion = 1;
        s.vmid = vmid;
        s.node = node;
        return s;
    }

    static SandboxService service(String sandboxId, String name, int port, AuthMode auth, String url) {
        SandboxService service = new SandboxService();
        service.sandboxId = sandboxId;
        service.name = name;
        service.port = port;
        service.authMode = auth;
        service.url = url;
        service.createdAt = Instant.now();
        return service;
    }

    /** The VMID a running sandbox holds, as the provisioner's allocator records it. */
    static VmidAllocation allocation(int vmid, String sandboxId) {
        VmidAllocation a = new VmidAllocation();
        a.cluster = "default";
        a.vmid = vmid;
        a.sandboxId = sandboxId;
        a.state = VmidAllocation.State.ALLOCATED;
        a.allocatedAt = Instant.now();
        return a;
    }

    /** Inserts the entities in one transaction, in the order given (teams before their sandboxes). */
    void insert(List<?> entities) {
        sessions.inStatelessTransaction(s -> s.insertMultiple(entities));
    }

    void insert(Object... entities) {
        insert(List.of(entities));
    }

    /** The events the services wrote about a sandbox, oldest first. */
    List<SandboxEvent> events(String sandboxId) {
        return sessions.fromStatelessTransaction(s -> s.createSelectionQuery(
                "from SandboxEvent where sandboxId = ?1 order by id", SandboxEvent.class).setParameter(1, sandboxId).getResultList());
    }

    /** Removes every sandbox, its VMID allocations and the reaper's orphan sightings: a scenario's world, gone. */
    void deleteSandboxes() {
        sessions.inStatelessTransaction(s -> {
            // No entity maps the reaper's own table: it belongs to the reaper module.
            s.createNativeMutationQuery("delete from reaper_orphan_sightings").executeUpdate();
            s.createMutationQuery("delete from VmidAllocation").executeUpdate();
            s.createMutationQuery("delete from Sandbox").executeUpdate();
        });
    }

    /** The server's own pid (its backends are its children), for {@link CpuTime}. */
    long postmasterPid() {
        long backend = sessions.fromStatelessTransaction(
                s -> ((Number) s.createNativeQuery("select pg_backend_pid()", Object.class).getSingleResult()).longValue());
        return CpuTime.parentOf(backend);
    }

    @Override
    public void close() {
        sessions.close();
    }
}
