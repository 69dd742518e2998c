package io.sandplane.provisioner.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * One database session holding PostgreSQL advisory locks for the length of an operation: the
 * sandbox's own lock and, while a clone runs, the template's clone lock. Session-level locks die
 * with the session, so a crashed provisioner never leaves a lock behind.
 */
public final class LockSession implements AutoCloseable {

    private final Connection connection;
    private final Runnable onClose;
    private final Set<Long> held = new HashSet<>();

    LockSession(Connection connection, Runnable onClose) {
        this.connection = connection;
        this.onClose = onClose;
    }

    /** Takes the lock if nobody holds it; never waits. */
    public boolean tryLock(long key) {
        try (PreparedStatement st = connection.prepareStatement("select pg_try_advisory_lock(?)")) {
            st.setLong(1, key);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                boolean locked = rs.getBoolean(1);
                if (locked) {
                    held.add(key);
                }
                return locked;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot take advisory lock: " + e.getMessage(), e);
        }
    }

    public void unlock(long key) {
        if (!held.remove(key)) {
            return;
        }
        try (PreparedStatement st = connection.prepareStatement("select pg_advisory_unlock(?)")) {
            st.setLong(1, key);
            st.executeQuery().close();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot release advisory lock: " + e.getMessage(), e);
        }
    }

    public boolean holds(long key) {
        return held.contains(key);
    }

    @Override
    public void close() {
        try {
            if (!held.isEmpty()) {
                // The connection goes back to the pool: it must not carry our locks to its next user.
                try (PreparedStatement st = connection.prepareStatement("select pg_advisory_unlock_all()")) {
                    st.executeQuery().close();
                }
                held.clear();
            }
            connection.close();
        } catch (SQLException e) {
            // A broken session has lost its locks with it; the pool discards the connection.
            try {
                connection.close();
            } catch (SQLException ignored) {
                // nothing more to do
            }
        } finally {
            onClose.run();
        }
    }
}
