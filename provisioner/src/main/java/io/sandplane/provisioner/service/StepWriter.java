package io.sandplane.provisioner.service;

import io.sandplane.model.entity.Sandbox;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a start's progress to its row in order, off the start's own thread: PVE calls and the
 * database writes that record them overlap, and changes that queued up meanwhile go in one
 * transaction. {@link #commit} writes a change after everything queued and waits for it (rethrowing
 * a failed write): a start commits what its recovery depends on — the clone is sent only once its
 * placement is written — and its final status before it answers. Steps after the clone are safe to
 * record late: if the provisioner dies first, recovery redoes them from an earlier step, and each is
 * idempotent (configure again, start an already running guest, look at the address again).
 */
final class StepWriter {

    private final SandboxRecorder recorder;
    private final String sandboxId;
    private final List<SandboxRecorder.Change> pending = new ArrayList<>();
    private boolean writing;
    private RuntimeException failure;
    private Sandbox last;

    StepWriter(SandboxRecorder recorder, String sandboxId) {
        this.recorder = recorder;
        this.sandboxId = sandboxId;
    }

    synchronized void enqueue(SandboxRecorder.Change change) {
        if (failure != null) {
            throw failure;
        }
        pending.add(change);
        if (!writing) {
            writing = true;
            Thread.ofVirtual().name("steps-" + sandboxId).start(this::drain);
        }
    }

    /** Waits until every queued change is written; returns the row as last written (null if none). */
    synchronized Sandbox flush() {
        awaitIdle();
        return last;
    }

    /**
     * Writes {@code change} after everything queued, on the caller's thread, and waits for it: the
     * records a start must not outrun (its placement, its final status).
     */
    Sandbox commit(SandboxRecorder.Change change) {
        List<SandboxRecorder.Change> batch;
        synchronized (this) {
            awaitIdle();
            batch = new ArrayList<>(pending);
            pending.clear();
            batch.add(change);
            // Keeps enqueue() from starting a drain while this batch is written.
            writing = true;
        }
        try {
            Sandbox written = recorder.apply(sandboxId, batch);
            synchronized (this) {
                last = written;
            }
            return written;
        } catch (RuntimeException e) {
            synchronized (this) {
                failure = e;
            }
            throw e;
        } finally {
            synchronized (this) {
                writing = false;
                notifyAll();
                if (!pending.isEmpty() && failure == null) {
                    writing = true;
                    Thread.ofVirtual().name("steps-" + sandboxId).start(this::drain);
                }
            }
        }
    }

    private void awaitIdle() {
        while (writing) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while recording progress", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void drain() {
        while (true) {
            List<SandboxRecorder.Change> batch;
            synchronized (this) {
                if (pending.isEmpty() || failure != null) {
                    writing = false;
                    notifyAll();
                    return;
                }
                batch = List.copyOf(pending);
                pending.clear();
            }
            try {
                Sandbox written = recorder.apply(sandboxId, batch);
                synchronized (this) {
                    last = written;
                }
            } catch (RuntimeException e) {
                synchronized (this) {
                    failure = e;
                }
            }
        }
    }
}
