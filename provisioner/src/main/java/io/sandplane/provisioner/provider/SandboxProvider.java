package io.sandplane.provisioner.provider;

import io.sandplane.model.api.ExecRequest;
import io.sandplane.model.api.ExecResult;
import io.sandplane.model.api.GuestInventory;
import io.sandplane.model.api.IsolationReport;
import io.sandplane.model.api.ProviderHealth;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.network.NetworkPolicy;
import io.sandplane.model.provider.Capabilities;
import io.sandplane.model.provider.Provider;
import java.util.Optional;

/**
 * A hypervisor back-end. The provisioning service owns the sandbox rows, their statuses and
 * events; a provider owns what exists on its hypervisor and reports progress through
 * {@link StartProgress}. Every operation is idempotent: repeating it after a crash or a lost answer
 * converges on the same result. {@code pve-lxc} is implemented; {@code pve-vm} and {@code morph}
 * plug in here without changes to the callers.
 */
public interface SandboxProvider {

    Provider provider();

    default Capabilities capabilities() {
        return provider().capabilities();
    }

    /**
     * Creates the guest and waits until it is ready, reporting each completed step. On failure it
     * removes whatever it created and throws {@link StartFailedException} saying whether that
     * clean-up succeeded.
     */
    GuestRef start(StartSpec spec, StartProgress progress);

    /**
     * Continues a start that stopped after {@code lastStep} (a crashed provisioner), from the guest
     * recorded so far. Same failure contract as {@link #start}.
     */
    GuestRef finishStart(StartSpec spec, GuestRef guest, ProvisionStep lastStep, StartProgress progress);

    /** Removes whatever a failed or abandoned start left behind (guest and reservations). */
    void rollBack(String sandboxId, GuestRef guest);

    /** What the hypervisor says about a sandbox's guest right now. */
    GuestObservation observe(String sandboxId, GuestRef guest);

    /**
     * Why no start can be isolated right now (e.g. the hypervisor's firewall is off), with what to do; empty when
     * starts may go ahead. Asked before anything is created.
     */
    default Optional<String> startRefusal() {
        return Optional.empty();
    }

    /**
     * Starts a stopped or paused guest, isolated by {@code network} (the policy it started with), and waits until it
     * is ready; the address may have changed.
     */
    GuestRef resume(GuestRef guest, NetworkPolicy network);

    /**
     * Checks the guest against its isolation as the hypervisor reports it now, changing nothing.
     *
     * @throws io.sandplane.model.problem.ProblemException 409 when the sandbox has no guest
     */
    IsolationReport isolation(String sandboxId, GuestRef guest, NetworkPolicy network);

    /** Graceful shutdown with a timeout, then a hard stop. A stopped guest stays stopped. */
    void stop(GuestRef guest);

    /** Keeps memory where the provider can ({@link Capabilities#supportsHibernate()}); otherwise a stop. */
    void pause(GuestRef guest);

    /** Stops and destroys the guest and releases its reservations; a guest already gone is success. */
    void delete(String sandboxId, GuestRef guest);

    ExecResult exec(GuestRef guest, ExecRequest request);

    /** The provider's managed guests, node by node; a node that could not be listed says so. */
    GuestInventory managedGuests();

    /** Destroys a managed guest no sandbox owns; refuses guests that are not marked as Sandplane's. */
    void deleteOrphan(String node, int vmid);

    ProviderHealth health();
}
