package io.sandplane.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandplane.devsupport.simulator.Fault;
import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.simulator.SimGuest;
import io.sandplane.devsupport.simulator.SimulatorControl;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator as other modules' tests use it: the packaged jar as a process, through dev-support. */
class SharedSimulatorIT {

    private final SharedSimulator sim = SharedSimulator.get();
    private final SimulatorControl control = sim.control();

    @BeforeEach
    void reset() {
        control.reset();
    }

    @Test
    void exposesUrlTokenAndEnv() {
        assertThat(sim.apiUrl()).isEqualTo(sim.baseUrl() + "/api2/json");
        assertThat(sim.token()).isEqualTo("root@pam!sandplane=sandplane-test-secret");
        assertThat(sim.env()).containsEntry("PVE_API_URL", sim.apiUrl()).containsEntry("PVE_API_TOKEN", sim.token());
        SimulatorControl.ApiResponse nodes = control.api("GET", "/nodes", null);
        assertThat(nodes.status()).isEqualTo(200);
        assertThat(nodes.data()).hasSize(3);
    }

    @Test
    void cloneStartAndReachTheGuest() throws Exception {
        control.zeroLatencies();
        assertThat(control.latencies()).containsEntry("clone", 0L);
        String clone = control.api("POST", "/nodes/pve1/lxc/9001/clone", Map.of("newid", "250", "hostname", "it")).data().asText();
        assertThat(control.awaitTask("pve1", clone, Duration.ofSeconds(10))).isEqualTo("OK");
        String start = control.api("POST", "/nodes/pve1/lxc/250/status/start", Map.of()).data().asText();
        assertThat(control.awaitTask("pve1", start, Duration.ofSeconds(10))).isEqualTo("OK");
        SimGuest guest = control.guest(250).orElseThrow();
        assertThat(guest.running()).isTrue();
        assertThat(guest.config()).containsEntry("hostname", "it");
        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://" + guest.address() + ":39375/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.body()).isEqualTo("ok");
        assertThat(control.calls("POST", ".*/clone")).hasSize(1);
    }

    @Test
    void faultsAndGuestsBehindSandplanesBack() {
        Fault f = control.addFault(Fault.error("POST", "/nodes/pve1/lxc/9001/clone", 596, "Connection timed out").times(1));
        assertThat(control.faults()).extracting(Fault::id).containsExactly(f.id());
        assertThat(control.api("POST", "/nodes/pve1/lxc/9001/clone", Map.of("newid", "251")).status()).isEqualTo(596);
        assertThat(control.faults()).isEmpty();
        control.addFault(Fault.lockTimeout("PUT", ".*/config"));
        assertThat(control.api("PUT", "/nodes/pve1/lxc/9001/config", Map.of("memory", "1024")).body().get("message").asText())
                .contains("got timeout");
        control.clearFaults();
        SimGuest stray = control.createGuest("pve2", 8000, "lxc", Map.of("hostname", "stray", "tags", "sandplane"), true);
        assertThat(stray.running()).isTrue();
        control.removeGuest(8000);
        assertThat(control.guest(8000)).isEmpty();
        control.errorStyle("legacy");
        assertThat(control.api("GET", "/nodes/pve1/lxc/999/config", null).body().has("message")).isFalse();
    }
}
