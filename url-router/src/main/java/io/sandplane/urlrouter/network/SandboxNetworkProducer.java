package io.sandplane.urlrouter.network;

import io.quarkus.runtime.Startup;
import io.sandplane.urlrouter.config.RouterConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The {@link SandboxNetwork} of this router, read from the configuration at start-up: a missing or
 * unreadable {@code PVE_IP_POOL_CIDR} stops the router with a message saying what to set, rather than
 * letting it forward anywhere.
 */
@ApplicationScoped
public class SandboxNetworkProducer {

    private static final Logger LOG = Logger.getLogger(SandboxNetworkProducer.class);

    @Produces
    @Singleton
    @Startup
    SandboxNetwork sandboxNetwork(RouterConfig config) {
        SandboxNetwork network = SandboxNetwork.configured(config.ipPoolCidr(), config.controlPlaneCidrs(), ownAddresses());
        LOG.infof("the proxy forwards only to %s, never to %s (control plane and this host) nor to %s", network.pool(),
                network.controlPlane(), SandboxNetwork.NEVER);
        return network;
    }

    /** Every address of this host's interfaces (a guest address that is one of them would reach the router's host). */
    private static List<InetAddress> ownAddresses() {
        try {
            return NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses).toList();
        } catch (SocketException e) {
            throw new UncheckedIOException("cannot list this host's network interfaces", e);
        }
    }
}
