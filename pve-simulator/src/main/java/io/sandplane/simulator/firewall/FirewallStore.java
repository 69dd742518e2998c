package io.sandplane.simulator.firewall;

import java.util.HashMap;
import java.util.Map;

/**
 * The firewall's files, as text, like /etc/pve/firewall holds them: {@code cluster.fw} and one
 * {@code <vmid>.fw} per guest that has a firewall config. A guest's file is keyed by VMID alone
 * (PVE checks neither that the guest exists nor its node): clones copy it, destroying the guest
 * removes it. Every change bumps {@link #generation()}, which compiled inbound policies are checked
 * against. Not thread-safe: guarded by the cluster's monitor like the rest of the simulated state.
 */
public final class FirewallStore {

    private String cluster = "";
    private final Map<Integer, String> guests = new HashMap<>();
    private long generation;

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
        generation++;
    }

    /** Writes a guest's file; a config with nothing in it removes the file, as PVE does. */
    public void saveGuest(int vmid, FirewallConfig conf) {
        String text = FirewallFiles.writeGuest(conf);
        if (text.isEmpty()) {
            guests.remove(vmid);
        } else {
            guests.put(vmid, text);
        }
        generation++;
    }

    /** PVE's clone_vmfw_conf: the target gets the source's file, or none when the source has none. */
    public void cloneGuest(int from, int to) {
        String text = guests.get(from);
        if (text == null) {
            guests.remove(to);
        } else {
            guests.put(to, text);
        }
        generation++;
    }

    /** PVE's remove_vmfw_conf (destroying a guest, or a failed clone or create). */
    public void removeGuest(int vmid) {
        if (guests.remove(vmid) != null) {
            generation++;
        }
    }

    /** Every file gone (a new scenario). */
    public void clear() {
        cluster = "";
        guests.clear();
        generation++;
    }

    /** Whether a guest has a firewall file. */
    public boolean hasGuest(int vmid) {
        return guests.containsKey(vmid);
    }

    /** Raw texts, for the operator view. */
    public String clusterText() {
        return cluster;
    }

    public String guestText(int vmid) {
        return guests.get(vmid);
    }

    /** Changes whenever any file changes. */
    public long generation() {
        return generation;
    }

    static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }
}
