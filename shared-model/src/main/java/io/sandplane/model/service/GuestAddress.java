package io.sandplane.model.service;

/**
 * What is known about where a guest can be reached; any part but the VMID may be null.
 *
 * @param searchDomain the PVE node's DNS search domain, which completes the hostname to an FQDN
 */
public record GuestAddress(int vmid, String hostname, String searchDomain, String ip) {

    public String fqdn() {
        if (hostname == null || hostname.isEmpty() || searchDomain == null || searchDomain.isEmpty()) {
            return null;
        }
        return hostname + "." + searchDomain;
    }

    /** The address the platform itself uses to reach the guest: the IP if known, else the FQDN. */
    public String internalHost() {
        return ip != null && !ip.isEmpty() ? ip : fqdn();
    }
}
