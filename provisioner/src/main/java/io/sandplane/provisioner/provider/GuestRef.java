package io.sandplane.provisioner.provider;

import io.sandplane.model.entity.Sandbox;

/**
 * Where a sandbox's guest is, as far as it is known; any part may be null while a start is under way.
 *
 * @param fqdn hostname + the node's DNS search domain, when the node has one
 */
public record GuestRef(Integer vmid, String node, String hostname, String ip, String fqdn) {

    public static final GuestRef NONE = new GuestRef(null, null, null, null, null);

    public static GuestRef of(Sandbox row) {
        return new GuestRef(row.vmid, row.node, row.hostname, row.ip, row.fqdn);
    }

    public boolean placed() {
        return vmid != null && node != null;
    }

    public GuestRef withVmid(int vmid) {
        return new GuestRef(vmid, node, hostname, ip, fqdn);
    }

    public GuestRef withNode(String node, String hostname) {
        return new GuestRef(vmid, node, hostname, ip, fqdn);
    }

    public GuestRef withAddress(String ip, String fqdn) {
        return new GuestRef(vmid, node, hostname, ip, fqdn);
    }

    @Override
    public String toString() {
        return vmid == null ? "(no guest)" : (node == null ? "?" : node) + "/" + vmid;
    }
}
