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
        LockSession session = open(() -> release(sandboxId, permit, true));
        try {
            long key = sandboxKey(sandboxId);
            Poller poller = new Poller(RETRY);
            while (!session.tryLock(key)) {
                if (System.nanoTime() > deadline) {
                    throw busy(sandboxId);
                }
                poller.pause();
            }
            return session;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
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
