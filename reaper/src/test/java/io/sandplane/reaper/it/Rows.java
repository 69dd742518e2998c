package io.sandplane.reaper.it;

import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.test.SharedPostgres;
import io.sandplane.model.lifecycle.SandboxIds;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Rows for the process-level suites, written with plain JDBC as sandbox-api and the provisioner would leave them. */
final class Rows {

    private static final AtomicInteger VMIDS = new AtomicInteger(500_000 + ThreadLocalRandom.current().nextInt(10_000) * 10);
    private static UUID team;

    private Rows() {
    }

    /** A RUNNING sandbox on pve1 whose guest does not exist: the lost rule's case. */
    static String runningWithoutGuest() {
        String id = SandboxIds.newId();
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("""
                insert into sandboxes (id, team_id, provider, snapshot_id, status, step, vmid, node, ttl_seconds, ttl_action,
                  created_at, updated_at, status_changed_at)
                values (?, ?, 'pve-lxc', 'snapshot_std4c8g1', 'RUNNING', 'EXECD_HEALTHY', ?, 'pve1', 3600, 'STOP', ?, ?, ?)""")) {
            s.setString(1, id);
            s.setObject(2, team(c));
            s.setInt(3, VMIDS.getAndIncrement());
            s.setTimestamp(4, now);
            s.setTimestamp(5, now);
            s.setTimestamp(6, now);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return id;
    }

    static String status(String id) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("select status from sandboxes where id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The details of the reaper's ACTION events on the sandbox. */
    static List<String> reaperActions(String id) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(
                "select detail from sandbox_events where sandbox_id = ? and actor = 'reaper' and type = 'ACTION' order by id")) {
            s.setString(1, id);
            List<String> details = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    details.add(rs.getString(1));
                }
            }
            return details;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static synchronized UUID team(Connection c) throws SQLException {
        if (team == null) {
            UUID id = UUID.randomUUID();
            try (PreparedStatement t = c.prepareStatement("""
                    insert into teams (id, slug, name, max_live_sandboxes, starts_per_hour, created_at, updated_at)
                    values (?, ?, 'Reaper ITs', 1000, 1000, now(), now())""")) {
                t.setObject(1, id);
                t.setString(2, "reaper-it-" + id.toString().substring(0, 8));
                t.executeUpdate();
            }
            team = id;
        }
        return team;
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(SharedPostgres.get().jdbcUrl(), EmbeddedPostgres.USER, "");
    }
}
