package io.sandplane.provisioner.support;

import io.quarkus.arc.Arc;
import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.simulator.SimGuest;
import io.sandplane.devsupport.simulator.SimulatorControl;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import java.util.List;

/** The shared pve-simulator, put back to its default scenario for each test. */
public final class Sim {

    private Sim() {
    }

    public static SimulatorControl control() {
        return SharedSimulator.get().control();
    }

    /**
     * Default scenario, zero latencies, no faults, no recorded calls; and closed circuit breakers,
     * so one test's injected failures never leak into the next.
     */
    public static void fresh() {
        control().reset();
        control().zeroLatencies();
        Arc.container().instance(CircuitBreakerMaintenance.class).get().resetAll();
    }

    /** Every guest on the simulator that names this sandbox (in its tags or its description). */
    public static List<SimGuest> guestsOf(String sandboxId) {
        return control().guests().stream()
                .filter(g -> !g.template())
                .filter(g -> (g.tags() != null && g.tags().contains(sandboxId))
                        || (g.config() != null && String.valueOf(g.config().get("description")).contains(sandboxId)))
                .toList();
    }
}
