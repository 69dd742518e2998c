package io.sandplane.provisioner.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.provisioner.SharedProvisioner;
import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.simulator.SimulatorControl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The firewall's settings as an operator meets them, on the built provisioner: a missing or wrong value stops it at
 * start-up naming the variable; {@code SANDPLANE_FIREWALL=off} starts guests without touching PVE's firewall (even
 * with the datacenter's switched off), and its isolation audit still judges the guest's address.
 */
class FirewallSettingsIT {

    @Test
    void aMissingOrWrongValueStopsTheProvisionerNamingTheVariable() throws Exception {
        Map<String, String> missing = new LinkedHashMap<>(SharedProvisioner.env());
        missing.remove("SANDPLANE_FIREWALL_ROUTER_CIDRS");
        assertThat(refusedStart(missing, "missing-router")).contains("SANDPLANE_FIREWALL_ROUTER_CIDRS is not set");

        Map<String, String> wrong = new LinkedHashMap<>(SharedProvisioner.env());
        wrong.put("SANDPLANE_FIREWALL", "sometimes");
        assertThat(refusedStart(wrong, "wrong-mode")).contains("SANDPLANE_FIREWALL is invalid: expected enforce");
    }

    /** Starts a provisioner that must exit during start-up; returns its log. */
    private static String refusedStart(Map<String, String> env, String name) throws Exception {
        Path log = Files.createTempFile("provisioner-" + name + "-", ".log");
        try {
            assertThatThrownBy(() -> ServiceProcess.of("provisioner").env(env).logFile(log)
                    .startTimeout(Duration.ofSeconds(120)).start()).hasMessageContaining("exited with code");
            return Files.readString(log);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    @Test
    void withTheFirewallOffGuestsStartUnfilteredAndOnlyTheirAddressIsAudited() throws Exception {
        SimulatorControl sim = SharedSimulator.get().control();
        sim.reset();
        Map<String, String> off = new LinkedHashMap<>(SharedProvisioner.env());
        off.put("SANDPLANE_FIREWALL", "off");
        off.remove("SANDPLANE_FIREWALL_ROUTER_CIDRS");
        off.remove("SANDPLANE_FIREWALL_PROVISIONER_CIDRS");
        // A sandbox network the simulator's guests are not in: the audit must say so, firewall or not.
        off.put("PVE_IP_POOL_CIDR", "10.99.0.0/16");
        sim.api("PUT", "/cluster/firewall/options", Map.of("enable", "0"));
        try (ServiceProcess provisioner = start(off)) {
            ProvisionerProcess p = new ProvisionerProcess(provisioner.url());
            String id = ProvisionerProcess.insertSandbox();

            JsonNode running = p.call("POST", "/internal/sandboxes/" + id + "/provision", null);

            assertThat(running.path("status").asText()).as(running.toString()).isEqualTo("RUNNING");
            int vmid = running.path("vmid").asInt();
            String node = running.path("node").asText();
            assertThat(sim.api("GET", "/nodes/" + node + "/lxc/" + vmid + "/firewall/rules", null).data()).isEmpty();
            assertThat(sim.api("GET", "/cluster/firewall/groups", null).data()).isEmpty();
            JsonNode report = p.call("GET", "/internal/sandboxes/" + id + "/isolation", null);
            assertThat(report.path("isolated").asBoolean()).isFalse();
            assertThat(report.path("problems")).singleElement().extracting(JsonNode::asText).asString()
                    .contains("outside the sandbox network").contains("10.99.0.0/16");
            JsonNode health = p.call("GET", "/internal/provider/health", null);
            assertThat(health.path("firewall").path("mode").asText()).isEqualTo("off");
            p.call("DELETE", "/internal/sandboxes/" + id, null);
        } finally {
            sim.api("PUT", "/cluster/firewall/options", Map.of("enable", "1"));
        }
    }

    private static ServiceProcess start(Map<String, String> env) {
        return ServiceProcess.of("provisioner").env(env).startTimeout(Duration.ofSeconds(120)).start();
    }
}
