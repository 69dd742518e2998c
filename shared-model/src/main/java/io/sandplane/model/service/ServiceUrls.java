package io.sandplane.model.service;

import java.util.Optional;

/**
 * Service URLs, chosen by what is known, in this order: the public proxy URL
 * ({@code https://port-{port}-vm-{vmid}.{domain}}), the FQDN ({@code http://{hostname}.{search}:{port}}),
 * the IP ({@code http://{ip}:{port}}).
 */
public final class ServiceUrls {

    private ServiceUrls() {
    }

    public static Optional<String> build(Optional<PublicDomain> domain, GuestAddress guest, int port) {
        if (domain.isPresent()) {
            return Optional.of(publicUrl(domain.get(), guest.vmid(), port));
        }
        String fqdn = guest.fqdn();
        if (fqdn != null) {
            return Optional.of("http://" + fqdn + ":" + port);
        }
        if (guest.ip() != null && !guest.ip().isEmpty()) {
            return Optional.of("http://" + hostLiteral(guest.ip()) + ":" + port);
        }
        return Optional.empty();
    }

    public static String publicHost(PublicDomain domain, int vmid, int port) {
        return "port-" + port + "-vm-" + vmid + "." + domain.host();
    }

    public static String publicUrl(PublicDomain domain, int vmid, int port) {
        return domain.scheme() + "://" + publicHost(domain, vmid, port);
    }

    /** A base URL the platform uses to reach a port on the guest directly (not through the proxy). */
    public static Optional<String> internalUrl(GuestAddress guest, int port) {
        String host = guest.internalHost();
        return host == null ? Optional.empty() : Optional.of("http://" + hostLiteral(host) + ":" + port);
    }

    private static String hostLiteral(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }
}
