package io.sandplane.urlrouter.service;

import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.service.AuthMode;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the proxy needs to know about the live sandbox holding a VMID, read from the database only.
 *
 * @param serviceAddress where its services answer: the recorded IP (judged against the sandbox network), else the
 *        FQDN; null while unknown
 * @param accessTokenHash SHA-256 of the sandbox's access token; null if it has none (token services then refuse everyone)
 * @param isolated false while the reaper's isolation audit has a problem recorded for the sandbox (its firewall off,
 *        its address outside the sandbox network): nothing is forwarded to it then
 * @param services exposed ports and their auth mode
 */
public record Route(
        String sandboxId,
        int vmid,
        SandboxStatus status,
        ServiceAddress serviceAddress,
        boolean wakeOnHttp,
        String accessTokenHash,
        boolean isolated,
        Map<Integer, AuthMode> services) {

    public Route {
        // A HashMap rather than Map.copyOf: its lookup is a mask, not the division Map.copyOf's table needs,
        // and the proxy looks up a port on every request.
        services = Collections.unmodifiableMap(new HashMap<>(services));
    }

    public Optional<AuthMode> service(int port) {
        return Optional.ofNullable(services.get(port));
    }
}
