package io.sandplane.provisioner.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandplane.devsupport.provisioner.SharedProvisioner;
import io.sandplane.devsupport.simulator.SharedSimulator;
import org.junit.jupiter.api.Test;

/**
 * The built provisioner as the other services' tests get it: {@link SharedProvisioner} starts the
 * jar as a process over the shared PostgreSQL and simulator; a sandbox row inserted as sandbox-api
 * would insert it is provisioned, used and deleted over HTTP. Runs after {@code package} (failsafe).
 */
class SharedProvisionerIT {

    @Test
    void provisionsExecsAndDeletesAsAProcess() throws Exception {
        SharedProvisioner provisioner = SharedProvisioner.get();
        ProvisionerProcess p = new ProvisionerProcess(provisioner.url());
        SharedSimulator.get().control().reset();
        String id = ProvisionerProcess.insertSandbox();

        JsonNode running = p.call("POST", "/internal/sandboxes/" + id + "/provision", null);
        assertThat(running.path("status").asText()).as(running.toString()).isEqualTo("RUNNING");
        int vmid = running.path("vmid").asInt();
        assertThat(SharedSimulator.get().control().guest(vmid)).hasValueSatisfying(g -> assertThat(g.running()).isTrue());

        JsonNode exec = p.call("POST", "/internal/sandboxes/" + id + "/exec", "{\"command\": \"echo hi\"}");
        assertThat(exec.path("stdout").asText()).isEqualTo("hi\n");

        JsonNode guests = p.call("GET", "/internal/guests", null);
        assertThat(guests.findValues("vmid")).extracting(JsonNode::asInt).contains(vmid);

        JsonNode deleted = p.call("DELETE", "/internal/sandboxes/" + id, null);
        assertThat(deleted.path("status").asText()).isEqualTo("DELETED");
        assertThat(SharedSimulator.get().control().guest(vmid)).isEmpty();
    }
}
