package io.sandplane.provisioner.service;

import io.sandplane.model.api.GuestInventory;
import io.sandplane.model.api.IsolationReport;
import io.sandplane.model.api.ProviderHealth;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.VmidAllocation;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.model.pve.PveValues;
import io.sandplane.provisioner.provider.GuestRef;
import io.sandplane.provisioner.provider.Providers;
import io.sandplane.provisioner.repository.SandboxRepository;
import io.sandplane.provisioner.repository.VmidAllocationRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The reaper's view of the hypervisor: managed guests, orphan removal, isolation audits, and provider health. */
@ApplicationScoped
public class GuestService {

    private final Providers providers;
    private final SandboxRepository sandboxes;
    private final VmidAllocationRepository allocations;
    private final VmidAllocator vmids;
    private final SandboxRecorder recorder;

    public GuestService(Providers providers, SandboxRepository sandboxes, VmidAllocationRepository allocations,
            VmidAllocator vmids, SandboxRecorder recorder) {
        this.recorder = recorder;
        this.providers = providers;
        this.sandboxes = sandboxes;
        this.allocations = allocations;
        this.vmids = vmids;
    }

    public GuestInventory guests() {
        List<GuestInventory.NodeGuests> nodes = new ArrayList<>();
        Instant observed = Instant.now();
        providers.all().forEach(p -> nodes.addAll(p.managedGuests().nodes()));
        return new GuestInventory(observed, nodes);
    }

    /**
     * Destroys an orphan: a guest tagged {@code sandplane} that no live sandbox owns. A guest a live
     * sandbox row points at is refused (409): delete the sandbox instead. Gone already: success.
     */
    public void deleteGuest(String node, int vmid) {
        PveValues.requireNode(node);
        PveValues.requireVmid("vmid", vmid);
        List<Sandbox> owners = QuarkusTransaction.requiringNew().call(() -> sandboxes.liveOwnersOf(vmid)).stream()
                .filter(s -> s.node == null || s.node.equals(node)).toList();
        if (!owners.isEmpty()) {
            throw ProblemException.conflict("guest " + node + "/" + vmid + " belongs to live sandbox " + owners.getFirst().id
                    + " (" + owners.getFirst().status + "); delete the sandbox instead");
        }
        providers.primary().deleteOrphan(node, vmid);
        QuarkusTransaction.requiringNew().run(() -> {
            Optional<VmidAllocation> held = allocations.allocated(vmids.cluster(), vmid);
            held.ifPresent(a -> {
                Sandbox owner = a.sandboxId == null ? null : sandboxes.findById(a.sandboxId);
                if (owner == null || !owner.status.isLive()) {
                    a.state = VmidAllocation.State.RELEASED;
                    a.releasedAt = Instant.now();
                }
            });
        });
    }

    /**
     * The sandbox's guest judged against its isolation, read-only: 404 for an unknown sandbox, 409 when it has no
     * guest (never placed, or gone from the hypervisor). Takes no operation lock: it changes nothing, and a report
     * read during a start or resume only says what was true at that moment.
     */
    public IsolationReport isolation(String id) {
        Sandbox row = recorder.load(id);
        if (row.vmid == null || row.node == null) {
            throw ProblemException.conflict("sandbox " + id + " (" + row.status + ") has no guest");
        }
        return providers.of(row.provider).isolation(id, GuestRef.of(row), row.networkPolicy());
    }

    public ProviderHealth health() {
        return providers.primary().health();
    }
}
