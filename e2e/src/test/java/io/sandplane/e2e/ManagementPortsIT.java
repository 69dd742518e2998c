package io.sandplane.e2e;

import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.test.ManagementInterface;
import io.sandplane.e2e.support.E2eTopology;
import io.sandplane.e2e.support.Topologies;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * Each packaged service serves health and metrics on its management port only: its API (or
 * internal API) port answers 404 to every spelling of their paths.
 */
class ManagementPortsIT {

    private final E2eTopology topology = Topologies.shared();

    @Test
    void healthAndMetricsAreServedOnTheManagementPortsOnly() {
        for (ServiceProcess service : topology.services()) {
            System.out.println(service.module() + ": " + ManagementInterface.assertServedOnlyThere(URI.create(service.url()),
                    URI.create(service.managementUrl())));
        }
    }
}
