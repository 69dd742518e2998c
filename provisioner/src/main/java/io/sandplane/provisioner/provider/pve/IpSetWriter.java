package io.sandplane.provisioner.provider.pve;

import io.sandplane.provisioner.client.PvePermanentException;
import io.sandplane.provisioner.client.PveTypes;
import io.sandplane.provisioner.provider.pve.FirewallLayout.IpSetSpec;
import io.sandplane.provisioner.provider.pve.FirewallReconcile.Action;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Makes one IP set hold exactly its wanted entries, wherever it lives (the datacenter, or a guest), by reading,
 * deciding ({@link FirewallReconcile}) and changing until nothing is left to change.
 */
final class IpSetWriter {

    private static final Logger LOG = Logger.getLogger(IpSetWriter.class);
    /** Each round makes at least one change; an IP set someone keeps editing under us is given up on. */
    static final int MAX_ROUNDS = 200;

    /** The calls that read and change one IP set. */
    interface Target {
        /** Its entries; empty when the set does not exist. */
        Optional<List<PveTypes.IpSetEntry>> read();

        void create(String comment);

        void add(String cidr);

        void include(String storedCidr, String digest);

        void remove(String storedCidr, String digest);
    }

    private IpSetWriter() {
    }

    /**
     * @param exists whether the set is known to exist (it is read first) or known not to (it is created)
     * @return how many changes were made
     */
    static int converge(IpSetSpec wanted, Target target, boolean exists, String where) {
        Optional<List<PveTypes.IpSetEntry>> current = exists ? target.read() : Optional.empty();
        int changes = 0;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            List<Action> batch = FirewallReconcile.nextBatch(FirewallReconcile.ipSet(wanted, current));
            if (batch.isEmpty()) {
                return changes;
            }
            try {
                for (Action action : batch) {
                    apply(action, target, where);
                    changes++;
                }
            } catch (PvePermanentException e) {
                if (!e.changedSinceRead()) {
                    throw e;
                }
                LOG.infof("IP set %s%s changed while Sandplane was updating it; reading it again", wanted.name(), where);
            }
            current = target.read();
        }
        throw new PvePermanentException(0, "IP set " + wanted.name() + where + " did not settle after " + MAX_ROUNDS
                + " changes: is something else rewriting it?", null);
    }

    private static void apply(Action action, Target target, String where) {
        switch (action) {
            case FirewallReconcile.CreateIpSet create -> tolerateExisting(() -> target.create(create.comment()));
            case FirewallReconcile.AddEntry add -> tolerateExisting(() -> target.add(add.cidr()));
            case FirewallReconcile.IncludeEntry include -> target.include(include.storedCidr(), include.digest());
            case FirewallReconcile.RemoveEntry remove -> target.remove(remove.storedCidr(), remove.digest());
            case FirewallReconcile.CreateGroup g -> throw new IllegalArgumentException("not an IP set action: " + g);
            case FirewallReconcile.PutRulesOnTop r -> throw new IllegalArgumentException("not an IP set action: " + r);
            case FirewallReconcile.RemoveRule r -> throw new IllegalArgumentException("not an IP set action: " + r);
        }
        LOG.debugf("firewall%s: %s", where, action);
    }

    /**
     * A create or add whose first attempt reached PVE before a transient failure is answered {@code already exists}
     * when retried: what it asked for is there.
     */
    static void tolerateExisting(Runnable change) {
        try {
            change.run();
        } catch (PvePermanentException e) {
            if (!e.alreadyExists()) {
                throw e;
            }
        }
    }
}
