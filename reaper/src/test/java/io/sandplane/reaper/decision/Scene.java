package io.sandplane.reaper.decision;

import io.sandplane.model.api.GuestInventory;
import io.sandplane.model.api.GuestInventory.ManagedGuest;
import io.sandplane.model.api.GuestInventory.NodeGuests;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.lifecycle.TtlAction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds observations for the decision tests: rows, guests per node, sightings and VMID holdings. */
final class Scene {

    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final ReapPolicy POLICY = new ReapPolicy(Duration.ofMinutes(10), Duration.ofDays(7),
            Duration.ofMinutes(15), Duration.ofMinutes(10), 50);

    private final List<SandboxRow> rows = new ArrayList<>();
    private final List<SandboxRow> laterRows = new ArrayList<>();
    private final Map<String, List<ManagedGuest>> guests = new LinkedHashMap<>();
    private final Set<String> unlisted = new HashSet<>();
    private final List<OrphanSighting> sightings = new ArrayList<>();
    private final List<VmidHolding> holdings = new ArrayList<>();
    private final Set<Integer> templates = new HashSet<>();
    private final Set<String> backingOff = new HashSet<>();

    static Scene nodes(String... names) {
        Scene scene = new Scene();
        for (String name : names) {
            scene.guests.put(name, new ArrayList<>());
        }
        return scene;
    }

    static Row row() {
        return new Row(SandboxIds.newId());
    }

    Scene with(Row... builders) {
        for (Row b : builders) {
            rows.add(b.build());
        }
        return this;
    }

    /** A row read after the guest list (created while the pass was observing). */
    Scene later(Row b) {
        laterRows.add(b.build());
        return this;
    }

    /** The row's guest, tagged as the provisioner tags it. */
    Scene guestOf(Row b) {
        SandboxRow r = b.build();
        return guest(r.node(), r.vmid(), "sandplane;" + r.id() + ";team-acme", null);
    }

    Scene guest(String node, int vmid, String tags, String lock) {
        guests.get(node).add(new ManagedGuest(vmid, node, "running", "cmux-" + vmid, tags, lock));
        return this;
    }

    Scene unlisted(String node) {
        unlisted.add(node);
        return this;
    }

    Scene sighting(String node, int vmid, String sandboxId, Instant firstSeen) {
        sightings.add(new OrphanSighting(node, vmid, sandboxId, firstSeen));
        return this;
    }

    Scene holding(long id, int vmid, String sandboxId, Instant allocatedAt, SandboxStatus ownerStatus, Integer ownerVmid) {
        holdings.add(new VmidHolding(id, "default", vmid, sandboxId, allocatedAt, ownerStatus, ownerVmid));
        return this;
    }

    Scene template(int vmid) {
        templates.add(vmid);
        return this;
    }

    Scene backingOff(String target) {
        backingOff.add(target);
        return this;
    }

    Observation observation() {
        List<NodeGuests> nodes = new ArrayList<>();
        guests.forEach((node, list) -> nodes.add(unlisted.contains(node)
                ? new NodeGuests(node, false, "500 Internal Server Error", List.of())
                : new NodeGuests(node, true, null, List.copyOf(list))));
        return new Observation(rows, new GuestInventory(NOW, nodes), laterRows, sightings, holdings, templates, backingOff);
    }

    ReapPlan decide() {
        return ReapDecision.decide(observation(), POLICY, NOW);
    }

    ReapPlan decide(ReapPolicy policy) {
        return ReapDecision.decide(observation(), policy, NOW);
    }

    /** A sandbox row; by default RUNNING on pve1 with VMID 100+, no TTL, no idle timeout. */
    static final class Row {
        private static int nextVmid = 1000;
        private final String id;
        private SandboxStatus status = SandboxStatus.RUNNING;
        private ProvisionStep step = ProvisionStep.EXECD_HEALTHY;
        private Integer vmid = nextVmid++;
        private String node = "pve1";
        private TtlAction ttlAction = TtlAction.STOP;
        private Instant expiresAt;
        private Integer idleTimeoutSeconds;
        private Instant lastActivityAt;
        private Instant statusChangedAt = NOW.minus(Duration.ofHours(1));
        private Instant updatedAt = NOW.minus(Duration.ofHours(1));

        private Row(String id) {
            this.id = id;
        }

        String id() {
            return id;
        }

        int vmid() {
            return vmid;
        }

        Row status(SandboxStatus s) {
            this.status = s;
            return this;
        }

        Row step(ProvisionStep s) {
            this.step = s;
            return this;
        }

        Row on(String node, Integer vmid) {
            this.node = node;
            this.vmid = vmid;
            return this;
        }

        Row expiresAgo(Duration ago, TtlAction action) {
            this.expiresAt = NOW.minus(ago);
            this.ttlAction = action;
            return this;
        }

        Row expiresIn(Duration in, TtlAction action) {
            this.expiresAt = NOW.plus(in);
            this.ttlAction = action;
            return this;
        }

        Row idleTimeout(Duration timeout, Instant lastActivity) {
            this.idleTimeoutSeconds = (int) timeout.toSeconds();
            this.lastActivityAt = lastActivity;
            return this;
        }

        Row statusChanged(Instant at) {
            this.statusChangedAt = at;
            return this;
        }

        Row updated(Instant at) {
            this.updatedAt = at;
            return this;
        }

        SandboxRow build() {
            return new SandboxRow(id, status, step, vmid, node, ttlAction, expiresAt, idleTimeoutSeconds, lastActivityAt,
                    statusChangedAt, updatedAt);
        }
    }
}
