package io.sandplane.model.api;

import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;

/** A sandbox row's hypervisor-facing state, as the provisioner left it. */
public record SandboxState(
        String id,
        SandboxStatus status,
        ProvisionStep step,
        Integer vmid,
        String node,
        String ip,
        String fqdn,
        String error) {
}
