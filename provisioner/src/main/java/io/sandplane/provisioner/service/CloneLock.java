package io.sandplane.provisioner.service;

import io.sandplane.model.problem.ProblemException;
import io.sandplane.provisioner.client.Poller;
import io.sandplane.provisioner.config.ProvisionerSettings;
import io.sandplane.provisioner.provider.StartSpec.TemplateCopy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;

/**
 * The cluster-wide lock per template copy: PVE locks an LXC template for the whole linked clone and
 * rejects a concurrent clone with {@code CT is locked (disk)}, so Sandplane never starts two. A
 * start takes the first free copy in placement order, so starts of one preset with several copies
 * clone in parallel; when all are busy it polls until one frees up.
 */
@ApplicationScoped
public class CloneLock {

    private static final Duration POLL = Duration.ofMillis(20);

    private final String cluster;

    public CloneLock(ProvisionerSettings settings) {
        this.cluster = settings.cluster();
    }

    public TemplateCopy acquire(LockSession session, List<TemplateCopy> ranked, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        Poller poller = new Poller(POLL);
        while (true) {
            for (TemplateCopy copy : ranked) {
                if (session.tryLock(key(copy))) {
                    return copy;
                }
            }
            if (System.nanoTime() > deadline) {
                throw ProblemException.unavailable("every copy of the template (" + ranked
                        + ") has been busy cloning for " + wait.toSeconds() + " s", 30);
            }
            poller.pause();
        }
    }

    public void release(LockSession session, TemplateCopy copy) {
        session.unlock(key(copy));
    }

    private long key(TemplateCopy copy) {
        return OperationLocks.cloneKey(cluster, copy.node(), copy.vmid());
    }
}
