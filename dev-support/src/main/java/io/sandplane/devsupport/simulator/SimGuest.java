package io.sandplane.devsupport.simulator;

import java.util.Map;

/**
 * A guest as the simulator knows it.
 *
 * @param address its loopback address while running (execd on 39375, echo on the web ports), else null
 * @param config  the raw config as PVE's config file holds it
 */
public record SimGuest(int vmid, String type, String node, String status, String name, boolean template, String lock,
                       String tags, String address, Map<String, String> config) {

    public boolean running() {
        return "running".equals(status);
    }
}
