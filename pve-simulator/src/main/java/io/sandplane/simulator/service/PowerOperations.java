package io.sandplane.simulator.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.LocalDate;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A guest's power endpoints with PVE's pre-checks in the call and its lock checks in the task:
 * what PVE checks before forking the worker fails the call, what the worker checks fails the task.
 */
@ApplicationScoped
public class PowerOperations {

    private final Cluster c;

    public PowerOperations(Cluster cluster) {
        this.c = cluster;
    }

    public Object power(Call call, GuestType type, PowerAction action) {
        synchronized (c) {
            c.node(call.node());
            GuestOperations.checkSkiplock(call);
            Guest g = c.load(call.node(), type, call.vmid());
            Task task = switch (action) {
                case START -> start(call, g);
                case STOP -> stop(call, g);
                case SHUTDOWN -> shutdown(call, g);
                case REBOOT -> reboot(call, g);
                case RESET -> reset(call, g);
                case SUSPEND -> suspend(call, g);
                case RESUME -> resume(call, g);
            };
            return task.upid;
        }
    }

    private Task start(Call call, Guest g) {
        boolean lxc = g.type == GuestType.LXC;
        if (g.running && lxc) {
            throw PveException.die("CT " + g.vmid + " already running");
        }
        return startTask(call, g, g.type.task("start"), "start", task -> {
            if (g.running) {
                throw PveException.die("VM " + g.vmid + " already running");
            }
            if (g.isTemplate()) {
                throw PveException.die(lxc ? "you can't start a CT if it's a template" : "you can't start a vm if it's a template");
            }
            boolean fromDisk = !lxc && "suspended".equals(g.lock());
            if (!call.flag("skiplock") && !fromDisk) {
                Cluster.checkLock(g);
            }
            if (fromDisk) {
                // a plain start of a VM suspended to disk resumes it (QEMU's vm_start)
                discardSavedState(g);
                task.log.add("resuming VM " + g.vmid + " from saved state");
            }
            return c.startListeners(g);
        });
    }

    private Task stop(Call call, Guest g) {
        if (!g.running && g.type == GuestType.LXC) {
            throw PveException.die("CT " + g.vmid + " not running");
        }
        return startTask(call, g, g.type.task("stop"), "stop", task -> {
            checkLockUnlessSkipped(call, g);
            return c.stopListeners(g);
        });
    }

    private Task shutdown(Call call, Guest g) {
        checkRunning(g, g.type.word());
        if (g.paused) {
            throw PveException.die("VM is paused - cannot shutdown");
        }
        return startTask(call, g, g.type.task("shutdown"), "shutdown", task -> {
            checkLockUnlessSkipped(call, g);
            return c.stopListeners(g);
        });
    }

    private Task reboot(Call call, Guest g) {
        checkRunning(g, "VM");
        return startTask(call, g, g.type.task("reboot"), "reboot", task -> {
            Cluster.checkLock(g);
            return restart(g);
        });
    }

    private Task reset(Call call, Guest g) {
        checkRunning(g, "VM");
        return startTask(call, g, "qmreset", "reboot", task -> {
            checkLockUnlessSkipped(call, g);
            return restart(g);
        });
    }

    private Task suspend(Call call, Guest g) {
        checkRunning(g, g.type.word());
        if (g.type == GuestType.LXC) {
            return startTask(call, g, "vzsuspend", "suspend", task -> {
                Cluster.checkLock(g);
                task.log.add("checkpointing container " + g.vmid);
                return c.stopListeners(g);
            });
        }
        if (call.flag("todisk")) {
            return suspendToDisk(call, g);
        }
        return startTask(call, g, "qmpause", "suspend", task -> {
            checkLockUnlessSkipped(call, g);
            g.paused = true;
            return null;
        });
    }

    /** Lock {@code suspending} at once, {@code suspended} and a vmstate when the task ends. */
    private Task suspendToDisk(Call call, Guest g) {
        checkLockUnlessSkipped(call, g);
        g.config.put("lock", "suspending");
        return c.startTask(call, g.node, "qmsuspend", Integer.toString(g.vmid), "suspend", new Cluster.TaskWork() {
            @Override
            public CompletionStage<Void> run(Task task) {
                task.log.add("suspend VM " + g.vmid + " to disk");
                g.config.put("lock", "suspended");
                g.config.put("vmstate", "local-lvm:vm-" + g.vmid + "-state-suspend-" + LocalDate.now());
                return c.stopListeners(g);
            }

            @Override
            public void fail(Task task, String error) {
                if ("suspending".equals(g.lock())) {
                    g.config.remove("lock");
                }
            }
        });
    }

    private Task resume(Call call, Guest g) {
        if (g.type == GuestType.LXC) {
            if (g.running) {
                throw PveException.die("CT " + g.vmid + " already running");
            }
            return startTask(call, g, "vzresume", "resume", task -> c.startListeners(g));
        }
        boolean fromDisk = "suspended".equals(g.lock());
        if (!fromDisk && !g.running) {
            throw PveException.die("VM " + g.vmid + " not running");
        }
        return startTask(call, g, "qmresume", "resume", task -> {
            if (fromDisk) {
                discardSavedState(g);
                return c.startListeners(g);
            }
            checkLockUnlessSkipped(call, g);
            g.paused = false;
            return null;
        });
    }

    /** Stops the guest's services, then starts them again unless it was deleted meanwhile. */
    private CompletionStage<Void> restart(Guest g) {
        return c.stopListeners(g).thenCompose(v -> {
            synchronized (c) {
                return g.deleted ? Cluster.done() : c.startListeners(g);
            }
        });
    }

    private static void discardSavedState(Guest g) {
        g.config.remove("lock");
        g.config.remove("vmstate");
    }

    /** PVE's pre-check wording: {@code CT 200 not running} or {@code VM 200 not running}. */
    private static void checkRunning(Guest g, String word) {
        if (!g.running) {
            throw PveException.die(word + " " + g.vmid + " not running");
        }
    }

    private static void checkLockUnlessSkipped(Call call, Guest g) {
        if (!call.flag("skiplock")) {
            Cluster.checkLock(g);
        }
    }

    private Task startTask(Call call, Guest g, String taskType, String latencyKey,
                           Function<Task, CompletionStage<Void>> work) {
        return c.startTask(call, g.node, taskType, Integer.toString(g.vmid), latencyKey, Cluster.TaskWork.withoutUndo(work));
    }
}
