package io.sandplane.simulator.firewall;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The firewall's files, as text, like /etc/pve/firewall holds them: {@code cluster.fw} and one
 * {@code <vmid>.fw} per guest that has a firewall config. A guest's file is keyed by VMID alone
 * (PVE checks neither that the guest exists nor its node): clones copy it, destroying the guest
 * removes it. Each file carries the version of its last change, so that a guest's compiled inbound
 * policy is compiled again only when its own file, cluster.fw or its NIC changed. Not thread-safe:
 * guarded by the cluster's monitor like the rest of the simulated state.
 */
public final class FirewallStore {

    private String cluster = "";
    private final Map<Integer, String> guests = new HashMap<>();
    /** Bumped by every change; the versions below are values it had. */
    private long version;
    private long clusterVersion;
    private final Map<Integer, Long> guestVersions = new HashMap<>();
    /** Compiled inbound policies by VMID, each valid for the versions and the net0 it was compiled from. */
    private final Map<Integer, CachedPolicy> policies = new HashMap<>();

    private record CachedPolicy(long clusterVersion, long guestVersion, String net0, RuleVerifier.Env env, long validUntil,
                                InboundPolicy policy) {
    }

    /** {@code cluster.fw} as read at this moment (an enable timestamp may have lapsed). */
    public FirewallConfig cluster() {
        return FirewallFiles.readCluster(cluster, nowSeconds());
    }

    /** A guest's {@code <vmid>.fw} as read with the current cluster config (an empty config when it has none). */
    public FirewallConfig guest(int vmid, RuleVerifier.Env env, FirewallConfig clusterConf) {
        return FirewallFiles.readGuest(guests.get(vmid), clusterConf, env);
    }

    public void saveCluster(FirewallConfig conf) {
        cluster = FirewallFiles.writeCluster(conf);
        clusterVersion = ++version;
    }

    /** Writes a guest's file; a config with nothing in it removes the file, as PVE does. */
    public void saveGuest(int vmid, FirewallConfig conf) {
        String text = FirewallFiles.writeGuest(conf);
        setGuest(vmid, text.isEmpty() ? null : text);
    }

    /** PVE's clone_vmfw_conf: the target gets the source's file, or none when the source has none. */
    public void cloneGuest(int from, int to) {
        setGuest(to, guests.get(from));
    }

    /** PVE's remove_vmfw_conf (destroying a guest, or a failed clone or create). */
    public void removeGuest(int vmid) {
        setGuest(vmid, null);
    }

    private void setGuest(int vmid, String text) {
        String old = text == null ? guests.remove(vmid) : guests.put(vmid, text);
        if (!Objects.equals(old, text)) {
            guestVersions.put(vmid, ++version);
        }
    }

    /** Every file gone (a new scenario). */
    public void clear() {
        cluster = "";
        guests.clear();
        policies.clear();
        clusterVersion = ++version;
        // a VMID of the old scenario may come back in the new one: its file is new too
        guestVersions.replaceAll((vmid, v) -> version);
    }

    /**
     * The inbound policy of a guest's net0, compiled once per change of its firewall file,
     * cluster.fw or the NIC: a connection costs a map lookup, not a parse.
     */
    public InboundPolicy inboundPolicy(int vmid, RuleVerifier.Env env, String net0) {
        CachedPolicy cached = policies.get(vmid);
        long guestVersion = guestVersions.getOrDefault(vmid, 0L);
        if (cached != null && cached.clusterVersion == clusterVersion && cached.guestVersion == guestVersion
                && cached.env == env && Objects.equals(cached.net0, net0) && nowSeconds() < cached.validUntil) {
            return cached.policy;
        }
        FirewallConfig clusterConf = cluster();
        InboundPolicy policy = InboundPolicy.compile(clusterConf, guest(vmid, env, clusterConf), net0);
        policies.put(vmid, new CachedPolicy(clusterVersion, guestVersion, net0, env, validUntil(clusterConf), policy));
        return policy;
    }

    /** A datacenter {@code enable} timestamp (the GUI's anti-lockout step) lapses a minute after it was set. */
    private static long validUntil(FirewallConfig clusterConf) {
        String enable = clusterConf.options == null ? null : clusterConf.options.get("enable");
        long value = enable == null ? 0 : Long.parseLong(enable);
        return value > 1 ? value + FirewallFiles.ENABLE_TIMESTAMP_SECONDS + 1 : Long.MAX_VALUE;
    }

    /** Drops what was compiled for a guest that is gone. */
    public void forgetPolicy(int vmid) {
        policies.remove(vmid);
    }

    static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }
}
