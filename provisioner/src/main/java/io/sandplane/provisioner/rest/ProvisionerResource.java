package io.sandplane.provisioner.rest;

import io.sandplane.model.InvalidValueException;
import io.sandplane.model.api.ExecRequest;
import io.sandplane.model.api.ExecResult;
import io.sandplane.model.api.GuestInventory;
import io.sandplane.model.api.IsolationReport;
import io.sandplane.model.api.ProviderHealth;
import io.sandplane.model.api.ProvisionerApi;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.provisioner.service.GuestService;
import io.sandplane.provisioner.service.LifecycleService;
import io.sandplane.provisioner.service.ProvisioningService;
import io.smallrye.common.annotation.RunOnVirtualThread;

/**
 * The internal API (guarded by the internal token): every call blocks on a virtual thread until
 * the hypervisor work is done and answers with the sandbox row's state.
 */
@RunOnVirtualThread
public class ProvisionerResource implements ProvisionerApi {

    private final ProvisioningService provisioning;
    private final LifecycleService lifecycle;
    private final GuestService guests;

    public ProvisionerResource(ProvisioningService provisioning, LifecycleService lifecycle, GuestService guests) {
        this.provisioning = provisioning;
        this.lifecycle = lifecycle;
        this.guests = guests;
    }

    @Override
    public SandboxState provision(String id) {
        return provisioning.provision(known(id));
    }

    @Override
    public SandboxState stop(String id) {
        return lifecycle.stop(known(id));
    }

    @Override
    public SandboxState pause(String id) {
        return lifecycle.pause(known(id));
    }

    @Override
    public SandboxState resume(String id) {
        return lifecycle.resume(known(id));
    }

    @Override
    public SandboxState delete(String id) {
        return lifecycle.delete(known(id));
    }

    @Override
    public SandboxState recover(String id) {
        return provisioning.recover(known(id));
    }

    @Override
    public ExecResult exec(String id, ExecRequest request) {
        return lifecycle.exec(known(id), request);
    }

    @Override
    public IsolationReport isolation(String id) {
        return guests.isolation(known(id));
    }

    @Override
    public GuestInventory guests() {
        return guests.guests();
    }

    @Override
    public void deleteGuest(String node, int vmid) {
        guests.deleteGuest(node, vmid);
    }

    @Override
    public ProviderHealth health() {
        return guests.health();
    }

    /** A malformed id cannot name a sandbox: the same 404 as an unknown one. */
    private static String known(String id) {
        if (!SandboxIds.isValid(id)) {
            throw ProblemException.notFound("no sandbox " + InvalidValueException.quote(id));
        }
        return id;
    }
}
