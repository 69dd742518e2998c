package io.sandplane.model.service;

import java.util.List;
import java.util.Optional;

/** The well-known ports of a sandbox image (cmux's port map). */
public enum ServicePort {
    EXEC("exec", 39375),
    WORKER("worker", 39377),
    VSCODE("vscode", 39378),
    PROXY("proxy", 39379),
    VNC("vnc", 39380),
    CDP("cdp", 39381),
    XTERM("xterm", 39383),
    PREVIEW("preview", 5173),
    SERVER("server", 9776);

    /** Exposed with token auth on every new sandbox. The exec port is never among them. */
    public static final List<ServicePort> DEFAULTS = List.of(VSCODE, WORKER, VNC, XTERM);

    private final String serviceName;
    private final int port;

    ServicePort(String serviceName, int port) {
        this.serviceName = serviceName;
        this.port = port;
    }

    public String serviceName() {
        return serviceName;
    }

    public int port() {
        return port;
    }

    public static Optional<ServicePort> byName(String name) {
        for (ServicePort p : values()) {
            if (p.serviceName.equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    public static Optional<ServicePort> byPort(int port) {
        for (ServicePort p : values()) {
            if (p.port == port) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
