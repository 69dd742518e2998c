package io.sandplane.reaper.testing;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import io.sandplane.devsupport.provisioner.SharedProvisioner;
import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.simulator.SimGuest;
import io.sandplane.devsupport.simulator.SimulatorControl;
import io.sandplane.model.api.ReaperPassReport;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.internal.InternalToken;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.reaper.config.ReaperConfig;
import io.sandplane.reaper.decision.ReapPolicy;
import io.sandplane.reaper.service.ReconcilePass;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The world a reaper test runs in: the shared database, the shared provisioner process and the
 * shared simulator, reset to a known state before each test (a reconciler looks at everything).
 */
@ApplicationScoped
public class World {

    private final Fixtures fixtures;
    private final ReconcilePass pass;
    private final ReaperConfig config;

    public World(Fixtures fixtures, ReconcilePass pass, ReaperConfig config) {
        this.fixtures = fixtures;
        this.pass = pass;
        this.config = config;
    }

    /** No sandboxes, no allocations, no sightings; the simulator back to its scenario, with no latencies or faults. */
    public void reset() {
        sim().reset();
        sim().zeroLatencies();
        fixtures.clear();
    }

    public SimulatorControl sim() {
        return SharedSimulator.get().control();
    }

    public ReapPolicy policy() {
        return config.policy();
    }

    public ReaperPassReport pass() {
        return pass.now(config.policy(), false);
    }

    public ReaperPassReport pass(ReapPolicy policy) {
        return pass.now(policy, false);
    }

    public ReaperPassReport dryRun() {
        return pass.now(config.policy(), true);
    }

    /** A sandbox started for real: inserted PROVISIONING as sandbox-api does, then provisioned by the provisioner. */
    public Sandbox running() {
        Sandbox row = fixtures.sandbox().status(SandboxStatus.PROVISIONING).step(null).on(null, null).withoutAllocation()
                .insert();
        Response r = provisioner("POST", "/internal/sandboxes/" + row.id + "/provision");
        if (r.statusCode() != 200 || !"RUNNING".equals(r.path("status"))) {
            throw new AssertionError("provision " + row.id + " answered " + r.statusCode() + ": " + r.asString());
        }
        return fixtures.reload(row.id);
    }

    /** Pauses (stops) a running sandbox through the provisioner. */
    public Sandbox paused(Sandbox s) {
        Response r = provisioner("POST", "/internal/sandboxes/" + s.id + "/pause");
        if (r.statusCode() != 200) {
            throw new AssertionError("pause " + s.id + " answered " + r.statusCode() + ": " + r.asString());
        }
        return fixtures.reload(s.id);
    }

    public Response provisioner(String method, String path) {
        return given().baseUri(SharedProvisioner.get().url()).header(InternalToken.HEADER, SharedProvisioner.INTERNAL_TOKEN)
                .contentType("application/json").request(method, path);
    }

    public Optional<SimGuest> guest(int vmid) {
        return sim().guest(vmid);
    }

    /** Guests carrying the sandbox's tag, wherever they are. */
    public List<SimGuest> guestsTagged(String sandboxId) {
        return sim().guests().stream().filter(g -> g.tags() != null && g.tags().contains(sandboxId)).toList();
    }

    /** A guest made by hand on the PVE host, with these tags ("" for none). */
    public SimGuest handMadeGuest(String node, int vmid, String tags) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("hostname", "cmux-" + vmid);
        config.put("memory", "1024");
        config.put("cores", "1");
        config.put("rootfs", "local-lvm:vm-" + vmid + "-disk-0,size=8G");
        config.put("net0", "name=eth0,bridge=vmbr0,ip=dhcp,type=veth");
        if (!tags.isEmpty()) {
            config.put("tags", tags);
        }
        return sim().createGuest(node, vmid, "lxc", config, false);
    }

    public static Optional<ReaperPassReport.ActionReport> action(ReaperPassReport report, String target) {
        return report.actions().stream().filter(a -> a.target().equals(target)).findFirst();
    }
}
