package io.sandplane.provisioner;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.simulator.Fault;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.devsupport.test.ReadinessContract;
import io.sandplane.devsupport.test.ReadinessProbe;
import io.sandplane.provisioner.support.Sim;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Health as every service promises it ({@link ReadinessContract}), PVE's reachability among its checks. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class ReadinessTest extends ReadinessContract {

    @BeforeEach
    void freshSimulator() {
        Sim.fresh();
    }

    @Override
    protected String[] readinessChecks() {
        return new String[] { "PVE API" };
    }

    @Test
    void isNotReadyWhilePveFailsAndRecoversWithoutARestart() {
        var fault = Sim.control().addFault(Fault.error("GET", "/version", 596, "Connection timed out"));
        try {
            ReadinessProbe.awaitStatus(ready, 503, Duration.ofSeconds(30));
        } finally {
            Sim.control().removeFault(fault.id());
        }
        Sim.fresh();
        ReadinessProbe.awaitStatus(ready, 200, Duration.ofSeconds(30));
    }
}
