package io.sandplane.provisioner.provider;

import io.sandplane.model.network.NetworkPolicy;
import io.sandplane.provisioner.service.LockSession;
import java.time.Instant;
import java.util.List;

/**
 * What to start.
 *
 * @param copies the template copies holding the snapshot (any of them will do)
 * @param locks  the operation's lock session, for provider-specific locks (e.g. clone locks)
 * @param network what the guest may reach, as stored on the sandbox row (its firewall is written from it)
 */
public record StartSpec(String sandboxId, String teamSlug, Instant createdAt, String snapshotId,
        List<TemplateCopy> copies, LockSession locks, NetworkPolicy network) {

    /** A template guest on a node. */
    public record TemplateCopy(String node, int vmid) {
        @Override
        public String toString() {
            return node + "/" + vmid;
        }
    }
}
