package io.sandplane.e2e.support;

import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.simulator.SimGuest;
import io.sandplane.devsupport.simulator.SimulatorControl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the books to check outcomes, never to drive anything: the sandbox rows and VMID
 * allocations in PostgreSQL against the guests the hypervisor (the simulator) holds. The one
 * exception is {@link #recordAddress}, a fault the simulator cannot produce, written as the
 * provisioner would record it.
 */
public final class Ledger {

    /** Statuses whose sandbox may own a guest and a VMID. */
    private static final String LIVE = "('PROVISIONING', 'RUNNING', 'PAUSED', 'STOPPED', 'DELETING')";

    private final EmbeddedPostgres postgres;
    private final SimulatorControl simulator;

    Ledger(EmbeddedPostgres postgres, SimulatorControl simulator) {
        this.postgres = postgres;
        this.simulator = simulator;
    }

    /** Guests on the hypervisor (templates aside) that no live sandbox row holds: left behind. */
    public List<SimGuest> orphanGuests() {
        Map<Integer, String> live = liveVmids();
        return simulator.guests().stream().filter(g -> !g.template() && !live.containsKey(g.vmid())).toList();
    }

    /** VMIDs still allocated although no live sandbox records them: they would never be given out again. */
    public List<String> leakedVmids() {
        return strings("""
                select a.vmid || ' held for ' || coalesce(a.sandbox_id, '-') from vmid_allocations a
                where a.state = 'ALLOCATED' and not exists (
                    select 1 from sandboxes s where s.id = a.sandbox_id and s.vmid = a.vmid and s.status in %s)
                """.formatted(LIVE));
    }

    /** Live sandbox rows whose guest the hypervisor does not have (the other direction of disagreement). */
    public List<String> rowsWithoutGuest() {
        List<Integer> guests = simulator.guests().stream().map(SimGuest::vmid).toList();
        List<String> missing = new ArrayList<>();
        liveVmids().forEach((vmid, id) -> {
            if (!guests.contains(vmid)) {
                missing.add(id + " (vmid " + vmid + ")");
            }
        });
        return missing;
    }

    /** VMID of every live sandbox row that has one. */
    public Map<Integer, String> liveVmids() {
        Map<Integer, String> vmids = new HashMap<>();
        query("select vmid, id from sandboxes where vmid is not null and status in " + LIVE, rs -> vmids.put(rs.getInt(1), rs.getString(2)));
        return vmids;
    }

    /** The allocated VMIDs, one row each (a duplicate would show twice). */
    public List<Integer> allocatedVmids() {
        List<Integer> vmids = new ArrayList<>();
        query("select vmid from vmid_allocations where state = 'ALLOCATED'", rs -> vmids.add(rs.getInt(1)));
        return vmids;
    }

    /**
     * Fault injection: records another address for a sandbox, as the provisioner would after PVE reported that its
     * guest changed address (a guest with root can try to). The row's change reaches the url-router like any other.
     */
    public void recordAddress(String sandboxId, String ip) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("update sandboxes set ip = ? where id = ?")) {
            ps.setString(1, ip);
            ps.setString(2, sandboxId);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("no sandbox " + sandboxId);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record an address for " + sandboxId, e);
        }
    }

    private List<String> strings(String sql) {
        List<String> out = new ArrayList<>();
        query(sql, rs -> out.add(rs.getString(1)));
        return out;
    }

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, RowReader reader) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                reader.read(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl(), EmbeddedPostgres.USER, "unused");
    }
}
