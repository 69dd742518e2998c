package io.sandplane.urlrouter.support;

import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.test.SharedPostgres;
import io.sandplane.model.Secrets;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.service.AuthMode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Rows the tests need, written straight into the shared database (as sandbox-api and the
 * provisioner would): {@code Fixtures.sandbox().ip(...).service("vscode", 39378, TOKEN).insert()}.
 * Every sandbox gets a fresh VMID, so tests never see each other's rows.
 */
public final class Fixtures {

    private static final AtomicInteger VMIDS = new AtomicInteger(100_000 + (int) (System.nanoTime() % 1000) * 100);

    private Fixtures() {
    }

    public static int nextVmid() {
        return VMIDS.incrementAndGet();
    }

    public static SandboxBuilder sandbox() {
        return new SandboxBuilder();
    }

    public static Connection connect() {
        EmbeddedPostgres pg = SharedPostgres.get();
        try {
            return DriverManager.getConnection(pg.jdbcUrl(), EmbeddedPostgres.USER, "");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void setStatus(String sandboxId, SandboxStatus status) {
        update("update sandboxes set status = ?, updated_at = now() where id = ?", status.name(), sandboxId);
    }

    public static void setIp(String sandboxId, String ip) {
        update("update sandboxes set ip = ?, updated_at = now() where id = ?", ip, sandboxId);
    }

    public static void delete(String sandboxId) {
        update("delete from sandboxes where id = ?", sandboxId);
    }

    public static void addService(String sandboxId, String name, int port, AuthMode auth) {
        update("insert into sandbox_services (sandbox_id, name, port, auth_mode, url, created_at) values (?, ?, ?, ?, ?, now())",
                sandboxId, name, port, auth.name(), "http://test.invalid/" + name);
    }

    public static Optional<Instant> lastActivity(String sandboxId) {
        return queryOne("select last_activity_at from sandboxes where id = ?", sandboxId)
                .map(v -> ((Timestamp) v).toInstant());
    }

    public static Optional<String> queryUrl(String sandboxId, String service) {
        return queryOne("select url from sandbox_services where sandbox_id = ? and name = ?", sandboxId, service).map(String.class::cast);
    }

    public static SandboxStatus status(String sandboxId) {
        return SandboxStatus.valueOf((String) queryOne("select status from sandboxes where id = ?", sandboxId).orElseThrow());
    }

    public static List<String> events(String sandboxId, String actor) {
        List<String> details = new ArrayList<>();
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(
                "select type || ': ' || coalesce(detail, '') from sandbox_events where sandbox_id = ? and actor = ? order by id")) {
            s.setString(1, sandboxId);
            s.setString(2, actor);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    details.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return details;
    }

    static Optional<Object> queryOne(String sql, Object... args) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getObject(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void update(String sql, Object... args) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static final class SandboxBuilder {
        private final String id = SandboxIds.newId();
        private Integer vmid = nextVmid();
        private SandboxStatus status = SandboxStatus.RUNNING;
        private String ip;
        private String hostname;
        private String fqdn;
        private String token;
        private boolean wakeOnHttp;
        private final List<Object[]> services = new ArrayList<>();

        public SandboxBuilder vmid(Integer vmid) {
            this.vmid = vmid;
            return this;
        }

        public SandboxBuilder status(SandboxStatus status) {
            this.status = status;
            return this;
        }

        public SandboxBuilder ip(String ip) {
            this.ip = ip;
            return this;
        }

        public SandboxBuilder fqdn(String hostname, String fqdn) {
            this.hostname = hostname;
            this.fqdn = fqdn;
            return this;
        }

        /** The raw access token; its SHA-256 goes into the row, as sandbox-api stores it. */
        public SandboxBuilder token(String token) {
            this.token = token;
            return this;
        }

        public SandboxBuilder wakeOnHttp(boolean wake) {
            this.wakeOnHttp = wake;
            return this;
        }

        public SandboxBuilder service(String name, int port, AuthMode auth) {
            services.add(new Object[] { name, port, auth });
            return this;
        }

        public Sandbox insert() {
            UUID team = UUID.randomUUID();
            Instant now = Instant.now();
            update("insert into teams (id, slug, name, max_live_sandboxes, starts_per_hour, created_at, updated_at) "
                    + "values (?, ?, 'test team', 100, 100, now(), now())", team, "t-" + team.toString().substring(0, 8));
            update("insert into sandboxes (id, team_id, provider, snapshot_id, status, vmid, node, ip, hostname, fqdn, ttl_seconds, "
                    + "ttl_action, wake_on_http, access_token_hash, created_at, updated_at, status_changed_at) "
                    + "values (?, ?, 'pve-lxc', 'snapshot_test', ?, ?, 'pve', ?, ?, ?, 3600, 'STOP', ?, ?, ?, ?, ?)",
                    id, team, status.name(), vmid, ip, hostname, fqdn, wakeOnHttp,
                    token == null ? null : Secrets.sha256Hex(token), Timestamp.from(now), Timestamp.from(now), Timestamp.from(now));
            for (Object[] s : services) {
                addService(id, (String) s[0], (Integer) s[1], (AuthMode) s[2]);
            }
            return new Sandbox(id, vmid == null ? 0 : vmid);
        }
    }

    public record Sandbox(String id, int vmid) {
    }
}
