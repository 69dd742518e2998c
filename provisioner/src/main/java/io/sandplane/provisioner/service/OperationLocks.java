package io.sandplane.provisioner.service;

import io.agroal.api.AgroalDataSource;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.provisioner.client.Poller;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Serialises operations on one sandbox across every provisioner replica (a PostgreSQL advisory
 * lock per sandbox). Within one replica, callers queue on an in-memory permit first, so a crowd of
 * concurrent wake-ups for one sandbox waits without holding a database connection each.
 */
@ApplicationScoped
public class OperationLocks {

    private static final Duration RETRY = Duration.ofMillis(25);

    private final AgroalDataSource dataSource;
    private final Map<String, Permit> permits = new ConcurrentHashMap<>();

    public OperationLocks(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Waits up to {@code wait} for the sandbox's lock. The session also carries clone locks taken
     * during the operation. Busy beyond the wait: 409.
     */
    public LockSession lockSandbox(String sandboxId, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        Permit permit = permits.compute(sandboxId, (id, p) -> (p == null ? new Permit() : p).retain());
        boolean acquired;
        try {
            acquired = permit.semaphore.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            release(sandboxId, permit, false);
            throw busy(sandboxId);
        }
        return locked(open(() -> release(sandboxId, permit, true)), sandboxKey(sandboxId), deadline,
                () -> busy(sandboxId));
    }

    /** The sandbox's lock if it is free right now; empty if another operation holds it. */
    public Optional<LockSession> tryLockSandbox(String sandboxId) {
        Permit permit = permits.compute(sandboxId, (id, p) -> (p == null ? new Permit() : p).retain());
        if (!permit.semaphore.tryAcquire()) {
            release(sandboxId, permit, false);
            return Optional.empty();
        }
        LockSession session = open(() -> release(sandboxId, permit, true));
        if (session.tryLock(sandboxKey(sandboxId))) {
            return Optional.of(session);
        }
        session.close();
        return Optional.empty();
    }

    /**
     * Waits up to {@code wait} for a cluster-wide lock that is not a sandbox's (e.g. the datacenter firewall's), on a
     * session of its own. Busy beyond the wait: 503.
     */
    public LockSession lockShared(long key, Duration wait, String what) {
        return locked(open(() -> { }), key, System.nanoTime() + wait.toNanos(),
                () -> ProblemException.unavailable(what + " has been busy for " + wait.toSeconds() + " s", 5));
    }

    /** Polls for {@code key} on {@code session} until {@code deadline}; the session is closed unless it is returned. */
    private static LockSession locked(LockSession session, long key, long deadline, Supplier<RuntimeException> busy) {
        try {
            Poller poller = new Poller(RETRY);
            while (!session.tryLock(key)) {
                if (System.nanoTime() > deadline) {
                    throw busy.get();
                }
                poller.pause();
            }
            return session;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private LockSession open(Runnable onClose) {
        try {
            Connection connection = dataSource.getConnection();
            connection.setAutoCommit(true);
            return new LockSession(connection, onClose);
        } catch (SQLException e) {
            onClose.run();
            throw ProblemException.unavailable("the database is not reachable: " + e.getMessage(), 5);
        }
    }

    private void release(String sandboxId, Permit permit, boolean acquired) {
        if (acquired) {
            permit.semaphore.release();
        }
        permits.computeIfPresent(sandboxId, (id, p) -> p.drop() == 0 ? null : p);
    }

    private static ProblemException busy(String sandboxId) {
        return ProblemException.conflict("another operation on sandbox " + sandboxId
                + " is still running; try again when it has finished");
    }

    /** Advisory-lock key of a sandbox. */
    static long sandboxKey(String sandboxId) {
        return key("sandbox:" + sandboxId);
    }

    /** Advisory-lock key of a template copy (PVE rejects concurrent clones of one LXC template). */
    static long cloneKey(String cluster, String node, int templateVmid) {
        return key("clone:" + cluster + ":" + node + ":" + templateVmid);
    }

    /** Advisory-lock key of the datacenter firewall objects a cluster's provisioners reconcile. */
    public static long firewallKey(String cluster) {
        return key("firewall:" + cluster);
    }

    private static long key(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** A per-sandbox permit, counted so that idle sandboxes leave nothing in the map. */
    private static final class Permit {
        final Semaphore semaphore = new Semaphore(1);
        int users;

        Permit retain() {
            users++;
            return this;
        }

        int drop() {
            return --users;
        }
    }
}
