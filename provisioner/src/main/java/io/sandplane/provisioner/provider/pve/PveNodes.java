package io.sandplane.provisioner.provider.pve;

import io.sandplane.provisioner.client.PveClient;
import io.sandplane.provisioner.client.PveException;
import io.sandplane.provisioner.client.PveTypes;
import io.sandplane.provisioner.config.ProvisionerSettings;
import io.sandplane.provisioner.provider.StartSpec.TemplateCopy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * What the provisioner knows about PVE's nodes, cached: the node list (memory, online) for placement
 * for a moment, and each node's DNS search domain and guest storage for longer. Fetched lazily; a
 * failed refresh keeps serving the last known value.
 */
@ApplicationScoped
public class PveNodes {

    private static final Logger LOG = Logger.getLogger(PveNodes.class);

    private final PveClient pve;
    private final ProvisionerSettings settings;
    private final Duration nodeTtl;
    private final Duration dnsTtl;
    private volatile Cached<List<PveTypes.Node>> nodes;
    private final Map<String, Cached<Optional<String>>> searchDomains = new ConcurrentHashMap<>();
    private final Map<String, Cached<Optional<String>>> storages = new ConcurrentHashMap<>();
    private final Map<TemplateCopy, Cached<Boolean>> templateNets = new ConcurrentHashMap<>();

    public PveNodes(PveClient pve, ProvisionerSettings settings) {
        this.pve = pve;
        this.settings = settings;
        this.nodeTtl = settings.tuning().nodeCache();
        this.dnsTtl = settings.tuning().dnsRefresh();
    }

    /** Every node with its status and memory (cached for {@code PROVISIONER_NODE_CACHE}). */
    public List<PveTypes.Node> nodes() {
        Cached<List<PveTypes.Node>> current = nodes;
        if (current != null && current.fresh(nodeTtl)) {
            return current.value();
        }
        List<PveTypes.Node> fresh = pve.nodes();
        nodes = new Cached<>(fresh, System.nanoTime());
        return fresh;
    }

    /** Forgets everything cached: the next look-ups ask PVE (e.g. when the cached node list offers no node). */
    public void invalidate() {
        nodes = null;
        searchDomains.clear();
        storages.clear();
        templateNets.clear();
    }

    /** The node's DNS search domain ({@code /nodes/{node}/dns}), which completes hostnames to FQDNs. */
    public Optional<String> searchDomain(String node) {
        return cachedPerNode(searchDomains, node, () -> Optional.ofNullable(pve.dns(node).search())
                .map(String::strip).map(s -> s.replaceFirst("^\\.+", "").replaceFirst("\\.+$", ""))
                .filter(s -> !s.isEmpty()), "search domain");
    }

    /**
     * The storage for guest volumes on a node: {@code PVE_STORAGE} (with a warning if the node has no
     * such active container storage), else the active storage with {@code rootdir} content and the
     * most free space. Resolved once per node and refresh period, and logged.
     */
    public Optional<String> guestStorage(String node) {
        return cachedPerNode(storages, node, () -> {
            List<PveTypes.Storage> usable = pve.storage(node, "rootdir").stream()
                    .filter(PveTypes.Storage::usable)
                    .filter(PveTypes.Storage::holdsContainers)
                    .toList();
            if (settings.storage().isPresent()) {
                String wanted = settings.storage().get();
                if (usable.stream().noneMatch(st -> st.storage().equals(wanted))) {
                    LOG.warnf("Node %s has no active container storage '%s' (PVE_STORAGE)", node, wanted);
                }
                return settings.storage();
            }
            return usable.stream()
                    .max(Comparator.comparingLong(st -> st.avail() == null ? 0 : st.avail()))
                    .map(PveTypes.Storage::storage);
        }, "guest storage");
    }

    /**
     * Is this template copy's {@code net0} already on {@code PVE_BRIDGE}, and behind the firewall ({@code firewall=1})
     * when it is enforced (or has it no {@code net0})? Then its clones, which copy the NIC, need no change to it.
     * Cached like the search domain; false when unknown.
     */
    public boolean netReady(TemplateCopy copy) {
        Cached<Boolean> current = templateNets.get(copy);
        if (current != null && current.fresh(dnsTtl)) {
            return current.value();
        }
        try {
            boolean matches = pve.config(copy.node(), copy.vmid())
                    .map(c -> GuestMarks.withNet(c.net0(), settings.bridge(), settings.isolation().enforced()) == null)
                    .orElse(false);
            templateNets.put(copy, new Cached<>(matches, System.nanoTime()));
            return matches;
        } catch (PveException e) {
            return false;
        }
    }

    private Optional<String> cachedPerNode(Map<String, Cached<Optional<String>>> cache, String node,
            java.util.function.Supplier<Optional<String>> fetch, String what) {
        Cached<Optional<String>> current = cache.get(node);
        if (current != null && current.fresh(dnsTtl)) {
            return current.value();
        }
        try {
            Optional<String> value = fetch.get();
            cache.put(node, new Cached<>(value, System.nanoTime()));
            if (current == null) {
                LOG.infof("Node %s: %s %s", node, what, value.orElse("(none)"));
            }
            return value;
        } catch (PveException e) {
            if (current != null) {
                return current.value();
            }
            LOG.warnf("Node %s: cannot read the %s: %s", node, what, e.getMessage());
            return Optional.empty();
        }
    }

    private record Cached<T>(T value, long fetchedAt) {
        boolean fresh(Duration ttl) {
            return System.nanoTime() - fetchedAt < ttl.toNanos();
        }
    }
}
