package io.sandplane.urlrouter.support;

import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.simulator.SimGuest;
import java.util.Map;

/**
 * Running guests of the JVM's shared pve-simulator: each answers on its own loopback address with
 * the simulator's echo services (worker 39377, vscode 39378, vnc 39380, xterm 39383, preview 5173).
 */
public final class SimGuests {

    private SimGuests() {
    }

    /** A running LXC guest with a fresh VMID; its address is what the provisioner would record as the sandbox's IP. */
    public static SimGuest running() {
        int vmid = Fixtures.nextVmid();
        SimGuest guest = SharedSimulator.get().control().createGuest("pve1", vmid, "lxc",
                Map.of("hostname", "sbx-" + vmid, "tags", "sandplane"), true);
        if (guest.address() == null) {
            throw new IllegalStateException("simulator guest " + vmid + " has no address: " + guest);
        }
        return guest;
    }

    public static void remove(SimGuest guest) {
        SharedSimulator.get().control().removeGuest(guest.vmid());
    }
}
