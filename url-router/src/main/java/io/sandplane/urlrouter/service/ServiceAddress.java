package io.sandplane.urlrouter.service;

import io.sandplane.urlrouter.network.SandboxNetwork;
import java.net.InetAddress;

/**
 * Where a sandbox's services answer, decided once when its route is loaded ({@link RouteLoader}), so
 * that a request only reads which of these it is.
 */
public sealed interface ServiceAddress {

    /** The address as text, as connections to it are pooled and reported. */
    String host();

    /** The recorded IP, inside the sandbox network: connected to exactly as judged. */
    record Ip(InetAddress address, String host) implements ServiceAddress {
        public Ip(InetAddress address) {
            this(address, address.getHostAddress());
        }
    }

    /**
     * The recorded FQDN (no IP recorded): resolved when a connection is opened, and the address it resolves
     * to is judged then, before anything is sent.
     */
    record Name(String host) implements ServiceAddress {
    }

    /** The recorded IP may not be reached ({@code verdict} says why): nothing is ever sent to it. */
    record Refused(String host, SandboxNetwork.Verdict verdict) implements ServiceAddress {
    }
}
