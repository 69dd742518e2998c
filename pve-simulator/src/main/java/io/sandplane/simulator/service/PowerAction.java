package io.sandplane.simulator.service;

import java.util.List;
import java.util.Locale;

/** The power endpoints of a guest ({@code …/status/<action>}); {@link #RESET} is QEMU's alone. */
public enum PowerAction {
    START, STOP, SHUTDOWN, REBOOT, RESET, SUSPEND, RESUME;

    /** The actions both guest types offer, in the order PVE's API lists them. */
    public static final List<PowerAction> COMMON = List.of(START, STOP, SHUTDOWN, REBOOT, SUSPEND, RESUME);

    /** The last segment of the endpoint's path. */
    public String pathSegment() {
        return name().toLowerCase(Locale.ROOT);
    }
}
