package io.sandplane.simulator.rest;

import io.sandplane.simulator.config.SimulatorConfig;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Which PVE error format the simulator speaks: {@code modern} (pve-http-server ≥ 5.2.0, the
 * message in the JSON body too) or {@code legacy} (older PVE: the message only in the reason phrase).
 */
@ApplicationScoped
public class ErrorStyle {

    private final SimulatorConfig config;
    private volatile boolean modern;

    public ErrorStyle(SimulatorConfig config) {
        this.config = config;
        reset();
    }

    public void reset() {
        set(config.errorStyle());
    }

    public boolean modern() {
        return modern;
    }

    public String name() {
        return modern ? "modern" : "legacy";
    }

    public void set(String style) {
        switch (style) {
            case "modern" -> modern = true;
            case "legacy" -> modern = false;
            default -> throw new IllegalArgumentException("error style must be modern or legacy, got '" + style + "'");
        }
    }
}
