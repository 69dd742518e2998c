package io.sandplane.reaper.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Reaper leadership as a PostgreSQL session-level advisory lock held on a connection of its own.
 *
 * <p>Why a session lock rather than a lease row: the lock goes away with the session, so a leader
 * that crashes or is killed frees it at once and a standby takes over at its next try; there is no
 * lease to expire and no renewal to keep up. The leader checks its session before every action:
 * when the database is gone it stops acting at once. A leader cut off by the network is dropped by
 * the server through TCP keepalives (set per session below) and by the leader's own failed check.
 * This needs a direct (or session-pooled) connection: a transaction-pooling proxy would break it.
 */
public final class LeaderLock implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LeaderLock.class);

    /** Opens a new connection to the database; the lock lives as long as that connection. */
    @FunctionalInterface
    public interface Connector {
        Connection connect() throws SQLException;
    }

    private final Connector connector;
    private final long key;
    // Not synchronized: virtual threads call in, and a JDBC round trip must not pin their carrier.
    private final ReentrantLock guard = new ReentrantLock();
    private Connection session;

    public LeaderLock(Connector connector, long key) {
        this.connector = connector;
        this.key = key;
    }

    /** Holds the lock after this call, or someone else does, or the database cannot be reached. */
    public boolean tryAcquire() {
        guard.lock();
        try {
            if (session != null) {
                if (alive()) {
                    return true;
                }
                drop();
            }
            Connection c = null;
            try {
                c = connector.connect();
                c.setAutoCommit(true);
                try (Statement st = c.createStatement()) {
                    st.setQueryTimeout(5);
                    // The server notices a vanished leader within about 30 s instead of TCP's default two hours.
                    st.execute("set tcp_keepalives_idle = 10");
                    st.execute("set tcp_keepalives_interval = 5");
                    st.execute("set tcp_keepalives_count = 3");
                    try (ResultSet rs = st.executeQuery("select pg_try_advisory_lock(" + key + ")")) {
                        rs.next();
                        if (rs.getBoolean(1)) {
                            session = c;
                            return true;
                        }
                    }
                }
                c.close();
                return false;
            } catch (SQLException e) {
                LOG.debugf("cannot try the reaper lock: %s", e.getMessage());
                closeQuietly(c);
                return false;
            }
    
        } finally {
            guard.unlock();
        }
    }

    /** Checks the lock's session now; a session that does not answer is dropped, and with it the lock. */
    public boolean stillHeld() {
        guard.lock();
        try {
            if (session == null) {
                return false;
            }
            if (alive()) {
                return true;
            }
            drop();
            return false;
    
        } finally {
            guard.unlock();
        }
    }

    public boolean held() {
        guard.lock();
        try {
            return session != null;
    
        } finally {
            guard.unlock();
        }
    }

    /** Gives the lock up (a standby takes it at its next try). */
    public void release() {
        guard.lock();
        try {
            if (session == null) {
                return;
            }
            try (Statement st = session.createStatement()) {
                st.setQueryTimeout(2);
                st.execute("select pg_advisory_unlock(" + key + ")");
            } catch (SQLException e) {
                LOG.debugf("cannot unlock the reaper lock (closing its session frees it): %s", e.getMessage());
            }
            drop();
    
        } finally {
            guard.unlock();
        }
    }

    @Override
    public void close() {
        release();
    }

    /**
     * The {@code application_name} of the session holding this lock, on any connection: who leads,
     * as the database sees it.
     */
    public static Optional<String> holder(Connection any, long key) throws SQLException {
        // pg_locks splits a bigint advisory key into two unsigned 32-bit halves; objsubid 1 marks the bigint form.
        try (PreparedStatement st = any.prepareStatement("""
                select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
                where l.locktype = 'advisory' and l.granted and l.objsubid = 1
                  and l.classid::bigint = ? and l.objid::bigint = ?""")) {
            st.setLong(1, key >>> 32);
            st.setLong(2, key & 0xFFFF_FFFFL);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private boolean alive() {
        try (Statement st = session.createStatement()) {
            st.setQueryTimeout(2);
            st.execute("select 1");
            return true;
        } catch (SQLException e) {
            LOG.warnf("the reaper lock's database session failed: %s", e.getMessage());
            return false;
        }
    }

    private void drop() {
        closeQuietly(session);
        session = null;
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debugf("closing a reaper lock session: %s", e.getMessage());
        }
    }
}
