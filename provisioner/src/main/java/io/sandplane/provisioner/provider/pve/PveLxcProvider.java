package io.sandplane.provisioner.provider.pve;

import io.sandplane.model.api.ExecRequest;
import io.sandplane.model.api.ExecResult;
import io.sandplane.model.api.GuestInventory;
import io.sandplane.model.api.IsolationReport;
import io.sandplane.model.api.ProviderHealth;
import io.sandplane.model.entity.Template;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.network.NetworkPolicy;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.model.provider.Provider;
import io.sandplane.model.pve.GuestTags;
import io.sandplane.model.service.GuestAddress;
import io.sandplane.provisioner.client.ExecdClient;
import io.sandplane.provisioner.client.Poller;
import io.sandplane.provisioner.client.PveClient;
import io.sandplane.provisioner.client.PveException;
import io.sandplane.provisioner.client.PvePermanentException;
import io.sandplane.provisioner.client.PveTransientException;
import io.sandplane.provisioner.client.PveTypes;
import io.sandplane.provisioner.client.TaskWaiter;
import io.sandplane.provisioner.client.Upid;
import io.sandplane.provisioner.config.ProvisionerSettings;
import io.sandplane.provisioner.provider.GuestGoneException;
import io.sandplane.provisioner.provider.GuestObservation;
import io.sandplane.provisioner.provider.GuestRef;
import io.sandplane.provisioner.provider.SandboxProvider;
import io.sandplane.provisioner.provider.StartFailedException;
import io.sandplane.provisioner.provider.StartProgress;
import io.sandplane.provisioner.provider.StartSpec;
import io.sandplane.provisioner.provider.StartSpec.TemplateCopy;
import io.sandplane.provisioner.repository.TemplateRepository;
import io.sandplane.provisioner.service.CloneLock;
import io.sandplane.provisioner.service.Failures;
import io.sandplane.provisioner.service.VmidAllocator;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Proxmox VE LXC containers: linked clone of a template copy, configure (hostname, tags,
 * description, bridge, NIC behind the firewall), write the guest's firewall, start, wait for an IPv4
 * address (pinned as the only one it may send from) and execd. Pause is a stop (LXC keeps no
 * RAM state). Whatever a failed start created is destroyed before the failure is reported.
 */
@ApplicationScoped
public class PveLxcProvider implements SandboxProvider {

    private static final Logger LOG = Logger.getLogger(PveLxcProvider.class);
    /** Attempts when PVE says a VMID Sandplane allocated is taken by a guest it did not create. */
    private static final int VMID_ATTEMPTS = 16;

    private final PveClient pve;
    private final TaskWaiter tasks;
    private final ExecdClient execd;
    private final PveNodes nodes;
    private final VmidAllocator vmids;
    private final CloneLock cloneLock;
    private final TemplateRepository templates;
    private final ProvisionerSettings settings;
    private final GuestFirewall firewall;
    private final ClusterFirewall clusterFirewall;

    public PveLxcProvider(PveClient pve, TaskWaiter tasks, ExecdClient execd, PveNodes nodes, VmidAllocator vmids,
            CloneLock cloneLock, TemplateRepository templates, ProvisionerSettings settings, GuestFirewall firewall,
            ClusterFirewall clusterFirewall) {
        this.pve = pve;
        this.tasks = tasks;
        this.execd = execd;
        this.nodes = nodes;
        this.vmids = vmids;
        this.cloneLock = cloneLock;
        this.templates = templates;
        this.settings = settings;
        this.firewall = firewall;
        this.clusterFirewall = clusterFirewall;
    }

    @Override
    public Provider provider() {
        return Provider.PVE_LXC;
    }

    // ---- start -------------------------------------------------------------------------------

    @Override
    public GuestRef start(StartSpec spec, StartProgress progress) {
        // What exists so far, kept up to date as the start goes, so a failure rolls back exactly that.
        AtomicReference<GuestRef> known = new AtomicReference<>(GuestRef.NONE);
        AtomicReference<TemplateCopy> template = new AtomicReference<>();
        try {
            known.set(GuestRef.NONE.withVmid(reserveVmid(spec.sandboxId())));
            // Reported once a template copy is ours (one write with the placement), or before waiting for one.
            GuestRef allocated = known.get();
            AtomicBoolean reported = new AtomicBoolean();
            Runnable reportVmid = () -> {
                if (reported.compareAndSet(false, true)) {
                    progress.completed(ProvisionStep.VMID_ALLOCATED, allocated, "VMID " + allocated.vmid());
                }
            };
            GuestRef cloned = cloneGuest(spec, known, template, progress, reportVmid);
            return continueAfter(ProvisionStep.CLONED, spec, cloned, Optional.of(template.get()), progress);
        } catch (RuntimeException e) {
            throw failed(spec.sandboxId(), known.get(), e);
        }
    }

    @Override
    public GuestRef finishStart(StartSpec spec, GuestRef guest, ProvisionStep lastStep, StartProgress progress) {
        if (lastStep == null || !lastStep.isAfter(ProvisionStep.VMID_ALLOCATED) || !guest.placed()) {
            throw new IllegalArgumentException("a start can only be finished once its guest is cloned");
        }
        try {
            if (lastStep.isAfter(ProvisionStep.CONFIGURED)) {
                // The crash may have cut the firewall's write short (or came before it was recorded): write it again,
                // which changes nothing when it is whole, before the guest runs (again).
                firewall.write(guest, spec.network());
            }
            if (lastStep.isAfter(ProvisionStep.FIREWALLED)) {
                // It was started once; it may have been stopped since (already running is fine).
                startGuest(guest);
            }
            if (lastStep.isAfter(ProvisionStep.STARTED) && guest.ip() != null) {
                firewall.pinAddress(guest);
            }
            return continueAfter(lastStep, spec, guest, Optional.empty(), progress);
        } catch (RuntimeException e) {
            throw failed(spec.sandboxId(), guest, e);
        }
    }

    private GuestRef continueAfter(ProvisionStep done, StartSpec spec, GuestRef guest, Optional<TemplateCopy> template,
            StartProgress progress) {
        GuestRef current = guest;
        for (ProvisionStep next = following(done); next != null; next = following(next)) {
            switch (next) {
                case VMID_ALLOCATED, CLONED -> throw new IllegalStateException("cannot redo " + next);
                case CONFIGURED -> {
                    configure(spec, current, template);
                    progress.completed(next, current, "hostname " + current.hostname() + ", tags, description");
                }
                case FIREWALLED -> {
                    firewall.write(current, spec.network());
                    progress.completed(next, current, firewall.enforced()
                            ? "firewall: inbound from the url-router only, egress " + spec.network().egress().id()
                            : "firewall left alone (SANDPLANE_FIREWALL=off)");
                }
                case STARTED -> {
                    startGuest(current);
                    progress.completed(next, current, "container started");
                }
                case NETWORK_UP -> {
                    current = awaitAddress(current);
                    firewall.pinAddress(current);
                    progress.completed(next, current, "IPv4 " + current.ip());
                }
                case EXECD_HEALTHY -> {
                    awaitExecd(current);
                    progress.completed(next, current, "execd answers");
                }
            }
        }
        return current;
    }

    private static ProvisionStep following(ProvisionStep step) {
        ProvisionStep[] all = ProvisionStep.values();
        return step.ordinal() + 1 < all.length ? all[step.ordinal() + 1] : null;
    }

    /** Allocates a VMID and makes sure PVE has no guest there (one created outside Sandplane). */
    private int reserveVmid(String sandboxId) {
        for (int attempt = 1; attempt <= VMID_ATTEMPTS; attempt++) {
            int vmid = vmids.allocate(sandboxId);
            boolean free;
            try {
                free = pve.isVmidFree(vmid);
            } catch (RuntimeException e) {
                vmids.release(sandboxId, vmid);
                throw e;
            }
            if (free) {
                return vmid;
            }
            LOG.infof("VMID %d is taken on PVE by a guest Sandplane did not create; skipping it", vmid);
            vmids.release(sandboxId, vmid);
        }
        throw new PvePermanentException(0, "no free VMID found after " + VMID_ATTEMPTS
                + " tries: PVE reports every allocated candidate as taken", null);
    }

    /**
     * Linked-clones a free template copy while holding its clone lock, and records CLONED. If a guest created outside
     * Sandplane took the VMID after the check, a new VMID is allocated and the clone retried.
     */
    private GuestRef cloneGuest(StartSpec spec, AtomicReference<GuestRef> known, AtomicReference<TemplateCopy> template,
            StartProgress progress, Runnable reportVmid) {
        GuestRef current = known.get();
        for (int attempt = 1; ; attempt++) {
            List<TemplateCopy> ranked = Placement.rank(spec.copies(), nodes.nodes(), settings.node());
            if (ranked.isEmpty()) {
                // The cached node list may predate a node coming (back) online.
                nodes.invalidate();
                ranked = Placement.rank(spec.copies(), nodes.nodes(), settings.node());
            }
            if (ranked.isEmpty()) {
                throw new PvePermanentException(0, "no online node" + settings.node().map(n -> " (PVE_NODE=" + n + ")").orElse("")
                        + " holds a copy of snapshot " + spec.snapshotId() + " (copies: " + spec.copies() + ")", null);
            }
            TemplateCopy copy = cloneLock.acquire(spec.locks(), ranked, settings.tuning().cloneLockWait(), reportVmid);
            try {
                reportVmid.run();
                int vmid = current.vmid();
                current = current.withNode(copy.node(), GuestMarks.hostname(vmid));
                known.set(current);
                template.set(copy);
                progress.placed(current, copy);
                // A linked clone stays on the template's storage (PVE refuses 'storage' for it); resolving the
                // node's guest storage (cached) tells the operator at the first start on a node what PVE offers.
                nodes.guestStorage(copy.node());
                try {
                    Upid upid = pve.cloneLinked(copy.node(), copy.vmid(), vmid, current.hostname(),
                            GuestMarks.cloneDescription(spec.sandboxId()));
                    tasks.await(upid, "clone of " + copy + " to " + vmid, settings.tuning().taskTimeout());
                    return cloned(current, copy, progress);
                } catch (PvePermanentException e) {
                    if (!(e.alreadyExists() || e.isLocked())) {
                        throw e;
                    }
                    GuestObservation target = observe(spec.sandboxId(), current);
                    if (target.owned()) {
                        // A retried POST whose first attempt reached PVE: our clone is (or was) running.
                        awaitUnlocked(current, "clone of " + copy + " to " + vmid);
                        if (!observe(spec.sandboxId(), current).exists()) {
                            throw new PvePermanentException(0, "clone of " + copy + " to " + vmid + " failed", e);
                        }
                        return cloned(current, copy, progress);
                    }
                    if (!e.alreadyExists() || attempt >= VMID_ATTEMPTS) {
                        // Locked by someone else's task, or no luck with VMIDs: give up.
                        throw e;
                    }
                    LOG.infof("VMID %d was taken on %s by a guest Sandplane did not create; allocating another", vmid,
                            copy.node());
                    vmids.release(spec.sandboxId(), vmid);
                    current = new GuestRef(reserveVmid(spec.sandboxId()), null, null, null, null);
                    known.set(current);
                    progress.completed(ProvisionStep.VMID_ALLOCATED, current, "VMID " + current.vmid()
                            + " (VMID " + vmid + " was taken outside Sandplane)");
                }
            } finally {
                cloneLock.release(spec.locks(), copy);
            }
        }
    }

    /** Recorded while the clone lock is still held, so the step's time is when the template was free again. */
    private static GuestRef cloned(GuestRef guest, TemplateCopy copy, StartProgress progress) {
        progress.completed(ProvisionStep.CLONED, guest, "linked clone of " + copy + " on " + guest.node());
        return guest;
    }

    /**
     * One synchronous config write. The bridge and the firewall flag are rewritten from the clone's own
     * {@code net0} (which has the fresh MAC address the clone got); when the template is known to have
     * both right already — the usual case — the clone does too, and the extra read is skipped.
     */
    private void configure(StartSpec spec, GuestRef guest, Optional<TemplateCopy> template) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("hostname", guest.hostname());
        values.put("tags", GuestMarks.tags(spec.sandboxId(), spec.teamSlug()));
        values.put("description", GuestMarks.description(spec.sandboxId(), spec.teamSlug(), spec.createdAt()));
        if (!template.map(nodes::netReady).orElse(false)) {
            PveTypes.LxcConfig config = pve.config(guest.node(), guest.vmid())
                    .orElseThrow(() -> new PvePermanentException(0, "guest " + guest + " vanished after its clone", null));
            String net0 = GuestMarks.withNet(config.net0(), settings.bridge(), firewall.enforced());
            if (net0 != null) {
                values.put("net0", net0);
            }
        }
        pve.updateConfig(guest.node(), guest.vmid(), values);
    }

    private void startGuest(GuestRef guest) {
        try {
            Upid upid = pve.start(guest.node(), guest.vmid());
            tasks.await(upid, "start of " + guest, settings.tuning().taskTimeout());
        } catch (PvePermanentException e) {
            if (!e.alreadyRunning()) {
                throw e;
            }
        }
    }

    /** Polls {@code /interfaces} until a non-loopback interface has an IPv4 address. */
    private GuestRef awaitAddress(GuestRef guest) {
        long deadline = System.nanoTime() + settings.tuning().networkTimeout().toNanos();
        Poller poller = new Poller(settings.tuning().pollMaxInterval());
        while (true) {
            String ip = firstIpv4(pve.interfaces(guest.node(), guest.vmid()));
            if (ip != null) {
                String fqdn = new GuestAddress(guest.vmid(), guest.hostname(),
                        nodes.searchDomain(guest.node()).orElse(null), ip).fqdn();
                return guest.withAddress(ip, fqdn);
            }
            if (System.nanoTime() > deadline) {
                throw new PvePermanentException(0, "guest " + guest + " reported no IPv4 address within "
                        + settings.tuning().networkTimeout().toSeconds() + " s (is DHCP answering on "
                        + settings.bridge() + "?)", null);
            }
            poller.pause();
        }
    }

    static String firstIpv4(List<PveTypes.NetInterface> interfaces) {
        for (PveTypes.NetInterface nic : interfaces) {
            if (nic.name() == null || nic.name().equals("lo")) {
                continue;
            }
            if (nic.ipAddresses() != null) {
                for (PveTypes.IpAddress address : nic.ipAddresses()) {
                    if ("inet".equals(address.type()) && usable(address.ipAddress())) {
                        return address.ipAddress();
                    }
                }
            }
            if (nic.inet() != null) {
                String ip = nic.inet().replaceFirst("/.*$", "");
                if (usable(ip)) {
                    return ip;
                }
            }
        }
        return null;
    }

    private static boolean usable(String ip) {
        return ip != null && ip.matches("\\d{1,3}(\\.\\d{1,3}){3}") && !ip.startsWith("169.254.") && !ip.equals("0.0.0.0");
    }

    private void awaitExecd(GuestRef guest) {
        long deadline = System.nanoTime() + settings.tuning().execdTimeout().toNanos();
        Poller poller = new Poller(settings.tuning().pollMaxInterval());
        while (!execd.healthy(hosts(guest))) {
            if (System.nanoTime() > deadline) {
                throw new PvePermanentException(0, "execd on guest " + guest + " (" + String.join(", ", hosts(guest))
                        + ") did not answer /healthz within " + settings.tuning().execdTimeout().toSeconds() + " s", null);
            }
            poller.pause();
        }
    }

    private static List<String> hosts(GuestRef guest) {
        Set<String> hosts = new LinkedHashSet<>();
        if (guest.ip() != null) {
            hosts.add(guest.ip());
        }
        if (guest.fqdn() != null) {
            hosts.add(guest.fqdn());
        }
        return List.copyOf(hosts);
    }

    /** Rolls back and turns the cause into the error the row will show. */
    private StartFailedException failed(String sandboxId, GuestRef guest, RuntimeException cause) {
        String reason = Failures.reason(cause);
        LOG.warnf("Start of sandbox %s failed at guest %s: %s", sandboxId, guest, reason);
        try {
            rollBack(sandboxId, guest);
            return new StartFailedException(reason, true, cause);
        } catch (RuntimeException rollback) {
            LOG.errorf("Rollback of sandbox %s (guest %s) failed: %s; the reaper will retry it", sandboxId, guest,
                    Failures.reason(rollback));
            return new StartFailedException(reason + "; clean-up pending: " + Failures.reason(rollback), false, cause);
        }
    }

    // ---- clean-up ----------------------------------------------------------------------------

    @Override
    public void rollBack(String sandboxId, GuestRef guest) {
        if (guest.placed()) {
            destroyIfOwned(sandboxId, guest);
        }
        // The clone is dispatched only after the node is recorded: no node, no guest.
        vmids.releaseAll(sandboxId);
    }

    @Override
    public void delete(String sandboxId, GuestRef guest) {
        rollBack(sandboxId, guest);
    }

    private void destroyIfOwned(String sandboxId, GuestRef guest) {
        GuestObservation seen = observe(sandboxId, guest);
        if (seen.exists() && seen.locked()) {
            awaitUnlocked(guest, "the running task on " + guest);
            seen = observe(sandboxId, guest);
        }
        if (!seen.exists()) {
            return;
        }
        if (!seen.owned()) {
            LOG.warnf("Guest %s is not marked as sandbox %s's; leaving it alone", guest, sandboxId);
            return;
        }
        destroy(guest);
    }

    /** Stops (if running) and destroys a guest, confirming each from the guest's own state. */
    private void destroy(GuestRef guest) {
        hardStop(guest);
        Upid upid;
        try {
            upid = pve.destroy(guest.node(), guest.vmid());
        } catch (PvePermanentException e) {
            if (e.doesNotExist()) {
                return;
            }
            throw e;
        }
        awaitOutcome(upid, "delete of " + guest, () -> pve.status(guest.node(), guest.vmid()).isEmpty());
    }

    private void hardStop(GuestRef guest) {
        var status = pve.status(guest.node(), guest.vmid());
        if (status.isEmpty() || !status.get().running()) {
            return;
        }
        try {
            Upid upid = pve.stop(guest.node(), guest.vmid());
            awaitOutcome(upid, "stop of " + guest, () -> !isRunning(guest));
        } catch (PvePermanentException e) {
            if (!e.notRunning() && !e.doesNotExist()) {
                throw e;
            }
        }
    }

    private boolean isRunning(GuestRef guest) {
        return pve.status(guest.node(), guest.vmid()).map(PveTypes.GuestStatus::running).orElse(false);
    }

    /**
     * Waits for a task; if its status cannot be read (PVE's task API failing), the guest's own state
     * tells when the task's effect is there instead.
     */
    private void awaitOutcome(Upid upid, String what, BooleanSupplier done) {
        try {
            tasks.await(upid, what, settings.tuning().taskTimeout());
        } catch (PveTransientException e) {
            LOG.infof("%s: task status unreadable (%s); watching the guest instead", what, e.pveMessage());
            long deadline = System.nanoTime() + settings.tuning().taskTimeout().toNanos();
            Poller poller = new Poller(settings.tuning().pollMaxInterval());
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                poller.pause();
            }
        }
    }

    /** Waits until a guest has no config lock (a clone or another task finished), or is gone. */
    private void awaitUnlocked(GuestRef guest, String what) {
        long deadline = System.nanoTime() + settings.tuning().taskTimeout().toNanos();
        Poller poller = new Poller(settings.tuning().pollMaxInterval());
        while (true) {
            var config = pve.config(guest.node(), guest.vmid());
            if (config.isEmpty() || config.get().lock() == null || config.get().lock().isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new PvePermanentException(0, what + " still holds lock '" + config.get().lock() + "' after "
                        + settings.tuning().taskTimeout().toSeconds() + " s", null);
            }
            poller.pause();
        }
    }

    @Override
    public GuestObservation observe(String sandboxId, GuestRef guest) {
        if (!guest.placed()) {
            return GuestObservation.ABSENT;
        }
        var config = pve.config(guest.node(), guest.vmid());
        if (config.isEmpty()) {
            return GuestObservation.ABSENT;
        }
        PveTypes.LxcConfig c = config.get();
        boolean running = isRunning(guest);
        return new GuestObservation(true, GuestMarks.ownedBy(sandboxId, c.tags(), c.description()),
                GuestMarks.taggedFor(sandboxId, c.tags()), running, c.lock());
    }

    // ---- other operations --------------------------------------------------------------------

    /**
     * The guest's firewall is written again before it runs (someone may have changed it while it was stopped, or the
     * settings changed), and its new lease pinned once it has one.
     */
    @Override
    public GuestRef resume(GuestRef guest, NetworkPolicy network) {
        requirePresent(guest);
        if (firewall.enforced()) {
            nicBehindFirewall(guest);
        }
        firewall.write(guest, network);
        startGuest(guest);
        GuestRef addressed = awaitAddress(guest);
        firewall.pinAddress(addressed);
        awaitExecd(addressed);
        return addressed;
    }

    /** Sets {@code firewall=1} on a stopped guest's NIC if it lost it (PVE re-plugs a running guest's NIC at once). */
    private void nicBehindFirewall(GuestRef guest) {
        pve.config(guest.node(), guest.vmid()).map(c -> GuestMarks.withFirewall(c.net0())).ifPresent(
                net0 -> pve.updateConfig(guest.node(), guest.vmid(), Map.of("net0", net0)));
    }

    @Override
    public IsolationReport isolation(String sandboxId, GuestRef guest, NetworkPolicy network) {
        var config = guest.placed() ? pve.config(guest.node(), guest.vmid()) : Optional.<PveTypes.LxcConfig>empty();
        if (config.isEmpty()) {
            throw ProblemException.conflict("sandbox " + sandboxId + " has no guest on PVE"
                    + (guest.placed() ? " (" + guest + " does not exist)" : ""));
        }
        String address = isRunning(guest) ? firstIpv4(pve.interfaces(guest.node(), guest.vmid())) : null;
        List<String> problems = IsolationAudit.problems(settings.isolation(), network,
                firewall.observe(guest, config.get().net0(), address));
        return new IsolationReport(sandboxId, problems.isEmpty(), problems, address, Instant.now());
    }

    @Override
    public Optional<String> startRefusal() {
        try {
            clusterFirewall.requireReady();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(Failures.reason(e));
        }
    }

    @Override
    public void stop(GuestRef guest) {
        requirePresent(guest);
        if (!isRunning(guest)) {
            return;
        }
        int seconds = (int) Math.max(1, settings.tuning().shutdownTimeout().toSeconds());
        try {
            Upid upid = pve.shutdown(guest.node(), guest.vmid(), seconds);
            awaitOutcome(upid, "shutdown of " + guest, () -> !isRunning(guest));
        } catch (PvePermanentException e) {
            // The guest ignored the shutdown (or is already down): a hard stop settles it.
            LOG.infof("Shutdown of %s did not complete (%s); stopping it", guest, e.pveMessage());
        }
        hardStop(guest);
    }

    @Override
    public void pause(GuestRef guest) {
        // LXC has no RAM state to keep (capabilities: supportsHibernate = false).
        stop(guest);
    }

    private void requirePresent(GuestRef guest) {
        if (!guest.placed() || pve.status(guest.node(), guest.vmid()).isEmpty()) {
            throw new GuestGoneException(guest);
        }
    }

    @Override
    public ExecResult exec(GuestRef guest, ExecRequest request) {
        return execd.exec(hosts(guest), request);
    }

    @Override
    public GuestInventory managedGuests() {
        List<GuestInventory.NodeGuests> result = new ArrayList<>();
        List<PveTypes.Node> all = pve.nodes();
        for (PveTypes.Node node : all) {
            if (!node.online()) {
                result.add(new GuestInventory.NodeGuests(node.node(), false, "node is " + node.status(), List.of()));
                continue;
            }
            try {
                List<GuestInventory.ManagedGuest> guests = pve.containers(node.node()).stream()
                        .filter(g -> !g.isTemplate() && GuestTags.parse(g.tags()).managed())
                        .map(g -> new GuestInventory.ManagedGuest(g.vmid(), node.node(), g.status(), g.name(), g.tags(),
                                g.lock()))
                        .toList();
                result.add(new GuestInventory.NodeGuests(node.node(), true, null, guests));
            } catch (RuntimeException e) {
                // A failed list is not an empty list: the reaper must not conclude anything about this node.
                result.add(new GuestInventory.NodeGuests(node.node(), false, Failures.reason(e), List.of()));
            }
        }
        return new GuestInventory(Instant.now(), result);
    }

    @Override
    public void deleteOrphan(String node, int vmid) {
        GuestRef guest = new GuestRef(vmid, node, null, null, null);
        var config = pve.config(node, vmid);
        if (config.isEmpty()) {
            return;
        }
        if (config.get().template() != null && config.get().template() == 1) {
            throw ProblemException.conflict("guest " + guest + " is a template; Sandplane never deletes templates");
        }
        if (!GuestTags.parse(config.get().tags()).managed()) {
            throw ProblemException.conflict("guest " + guest + " is not tagged '" + GuestTags.MANAGED
                    + "'; Sandplane deletes only its own guests");
        }
        awaitUnlocked(guest, "the running task on " + guest);
        destroy(guest);
    }

    @Override
    public ProviderHealth health() {
        List<Template> expected = QuarkusTransaction.joiningExisting().call(() -> templates.active(Provider.PVE_LXC));
        long started = System.nanoTime();
        try {
            pve.ping();
            long latency = Duration.ofNanos(System.nanoTime() - started).toMillis();
            Map<String, Set<Integer>> present = new LinkedHashMap<>();
            List<String> missing = new ArrayList<>();
            for (Template t : expected) {
                Set<Integer> onNode = present.computeIfAbsent(t.node, n -> {
                    try {
                        Set<Integer> ids = new java.util.HashSet<>();
                        pve.containers(n).stream().filter(PveTypes.Guest::isTemplate).forEach(g -> ids.add(g.vmid()));
                        return ids;
                    } catch (RuntimeException e) {
                        return Set.of();
                    }
                });
                if (!onNode.contains(t.templateVmid)) {
                    missing.add(t.node + "/" + t.templateVmid);
                }
            }
            ProviderHealth.Firewall fw = clusterFirewall.health();
            return new ProviderHealth(provider(), true, latency, expected.size(), expected.size() - missing.size(), missing,
                    fw.blocksStarts() ? fw.problem() : null, fw);
        } catch (RuntimeException e) {
            return new ProviderHealth(provider(), false, Duration.ofNanos(System.nanoTime() - started).toMillis(),
                    expected.size(), 0, List.of(), Failures.reason(e), null);
        }
    }
}
