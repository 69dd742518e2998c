package io.sandplane.simulator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The /_sim controls beyond the basics: scenarios, delay and probability faults, stopping tasks, task logs. */
@QuarkusTest
class OperatorControlsTest {

    private static final String SMALL_CLUSTER = """
            {"dnsSearch": "lab.example",
             "nodes": [
               {"name": "alpha", "cpus": 8, "memoryMiB": 16384,
                "storages": [{"storage": "tank", "type": "zfspool", "content": ["rootdir", "images"], "totalGiB": 100, "usedGiB": 10},
                             {"storage": "local", "type": "dir", "content": ["vztmpl"], "totalGiB": 50, "usedGiB": 1}]},
               {"name": "beta", "status": "offline", "storages": []}],
             "guests": [
               {"vmid": 5000, "node": "alpha", "type": "qemu", "status": "stopped",
                "config": {"name": "golden-vm", "template": 1, "memory": "4096", "scsi0": "tank:base-5000-disk-0,size=16G",
                           "net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0"}},
               {"vmid": 5001, "node": "alpha", "type": "lxc", "status": "running",
                "config": {"hostname": "already-up", "rootfs": "tank:subvol-5001-disk-0,size=8G",
                           "net0": "name=eth0,bridge=vmbr0,ip=dhcp"}}]}
            """;

    @BeforeEach
    void reset() {
        Pve.reset();
        Pve.zeroLatencies();
    }

    @Test
    void aScenarioReplacesTheClusterUntilReset() {
        given().contentType("application/json").body(SMALL_CLUSTER).post("/_sim/scenario").then().statusCode(200)
                .body("nodes.name", equalTo(List.of("alpha", "beta")));
        given().get("/_sim/scenario").then().statusCode(200).body("dnsSearch", equalTo("lab.example"));
        Pve.api().get("/nodes").then().body("data.node", equalTo(List.of("alpha", "beta")))
                .body("data.find { it.node == 'beta' }.status", equalTo("offline"));
        Pve.api().get("/nodes/alpha/dns").then().body("data.search", equalTo("lab.example"));
        Pve.api().get("/nodes/alpha/storage").then().body("data.storage", equalTo(List.of("tank", "local")))
                .body("data.find { it.storage == 'tank' }.avail", equalTo((100L - 10 - 16 - 8) * 1024 * 1024 * 1024));
        Pve.api().get("/nodes/alpha/lxc/5001/status/current").then().body("data.status", equalTo("running"));
        Pve.api().get("/nodes/pve1/lxc/9001/config").then().statusCode(500)
                .body("message", containsString("hostname lookup 'pve1' failed"));
        // an offline node: PVE's proxy cannot reach it
        Response offline = Pve.api().get("/nodes/beta/status");
        assertThat(offline.statusCode()).isEqualTo(595);
        assertThat(offline.statusLine()).contains("Errors during connection establishment, proxy handshake");
        // the scenario's QEMU template clones (zfspool supports linked clones)
        Pve.awaitOk("alpha", Pve.post("/nodes/alpha/qemu/5000/clone", "newid", 5002, "name", "from-scenario"));
        Pve.api().get("/nodes/alpha/qemu/5002/config").then().body("data.scsi0", equalTo("tank:base-5000-disk-0/vm-5002-disk-0,size=16G"));

        Pve.reset();
        Pve.api().get("/nodes").then().body("data.node", equalTo(List.of("pve1", "pve2", "pve3")));
        Pve.api().get("/nodes/pve1/lxc/9001/config").then().statusCode(200);
    }

    @Test
    void badControlInputIs400WithAReason() {
        given().contentType("application/json").body("{\"nodes\": []}").post("/_sim/scenario").then().statusCode(400)
                .body("error", equalTo("a scenario needs at least one node"));
        given().contentType("application/json").body("{\"nodes\": [{\"name\": \"bad_name\"}]}").post("/_sim/scenario").then()
                .statusCode(400).body("error", containsString("invalid node name"));
        given().contentType("application/json").body(Map.of("bogus", 1)).put("/_sim/latencies").then().statusCode(400)
                .body("error", containsString("unknown operation 'bogus'"));
        given().contentType("application/json").body(Map.of("clone", -5)).put("/_sim/latencies").then().statusCode(400);
        given().contentType("application/json").body(Map.of("errorStyle", "ancient")).put("/_sim/settings").then().statusCode(400)
                .body("error", containsString("modern or legacy"));
        given().contentType("application/json").body("{\"kind\": \"error\", \"status\": 200}").post("/_sim/faults").then()
                .statusCode(400).body("error", containsString("status between 400 and 599"));
        given().contentType("application/json").body("{\"kind\": \"delay\", \"path\": \"([\"}").post("/_sim/faults").then()
                .statusCode(400).body("error", containsString("not a valid regular expression"));
        given().contentType("application/json").body("{\"kind\": \"sideways\"}").post("/_sim/faults").then().statusCode(400);
        given().contentType("application/json").body("not json").post("/_sim/faults").then().statusCode(400);
        given().get("/_sim/calls?path=(").then().statusCode(400);
        given().delete("/_sim/faults/f999999").then().statusCode(404);
        // the scenario in force did not change
        Pve.api().get("/nodes").then().body("data", hasSize(3));
    }

    @Test
    void delayProbabilityAndCountedFaults() {
        String delay = Pve.fault("{\"method\":\"GET\",\"path\":\"/version\",\"kind\":\"delay\",\"delayMs\":600}");
        long started = System.nanoTime();
        Pve.api().get("/version").then().statusCode(200);
        assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(600);
        given().delete("/_sim/faults/" + delay).then().statusCode(204);
        given().get("/_sim/faults").then().body("size()", equalTo(0));

        // probability 0 never hits, 1 always does
        Pve.fault("{\"path\":\"/nodes/pve1/dns\",\"kind\":\"error\",\"status\":503,\"message\":\"never\",\"probability\":0}");
        for (int i = 0; i < 20; i++) {
            Pve.api().get("/nodes/pve1/dns").then().statusCode(200);
        }
        Pve.fault("{\"path\":\"/nodes/pve2/dns\",\"kind\":\"error\",\"status\":599,\"message\":\"Too many redirections\",\"probability\":1}");
        for (int i = 0; i < 5; i++) {
            Response r = Pve.api().get("/nodes/pve2/dns");
            assertThat(r.statusCode()).isEqualTo(599);
            assertThat(r.statusLine()).endsWith("Too many redirections");
        }
        // a counted fault goes away after its count
        Pve.fault("{\"method\":\"POST\",\"path\":\".*/status/start\",\"kind\":\"timeout\",\"count\":2}");
        Pve.cloneAndWait("pve1", 9001, 900, "flaky");
        for (int i = 0; i < 2; i++) {
            Pve.post("/nodes/pve1/lxc/900/status/start").then().statusCode(500)
                    .body("message", equalTo("can't lock file '/run/lock/lxc/pve-config-900.lock' - got timeout\n"));
        }
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/900/status/start"));
        given().delete("/_sim/faults").then().statusCode(204);
        Pve.api().get("/nodes/pve2/dns").then().statusCode(200);
    }

    @Test
    void stoppingATaskUndoesItsEffect() {
        Pve.latencies(Map.of("clone", 5000L));
        String upid = Pve.upid(Pve.post("/nodes/pve1/lxc/9001/clone", "newid", 910));
        Pve.api().get("/nodes/pve1/lxc/9001/status/current").then().body("data.lock", equalTo("disk"));
        Pve.api().urlEncodingEnabled(false).delete("/nodes/pve1/tasks/" + Pve.enc(upid)).then().statusCode(200)
                .body("data", nullValue());
        assertThat(Pve.await("pve1", upid)).isEqualTo("interrupted by signal");
        Pve.api().get("/nodes/pve1/lxc/9001/status/current").then().body("data.lock", nullValue());
        Pve.api().get("/nodes/pve1/lxc/910/config").then().statusCode(500);
        Pve.api().queryParam("errors", 1).get("/nodes/pve1/tasks").then().body("data.upid", hasItem(upid))
                .body("data.find { it.upid == '" + upid + "' }.status", equalTo("interrupted by signal"));
    }

    @Test
    void taskLogsPageAndDownload() {
        Pve.fault("{\"path\":\".*/status/start\",\"kind\":\"task\",\"exitstatus\":\"WARNINGS: 3\",\"count\":1}");
        Pve.cloneAndWait("pve1", 9002, 920, "logs");
        String upid = Pve.upid(Pve.post("/nodes/pve1/lxc/920/status/start"));
        assertThat(Pve.await("pve1", upid)).isEqualTo("WARNINGS: 3");
        List<String> all = Pve.log("pve1", upid);
        assertThat(all).hasSize(4).endsWith("TASK WARNINGS: 3");
        assertThat(all).filteredOn(l -> l.startsWith("WARN: ")).hasSize(3);
        Response page = Pve.api().urlEncodingEnabled(false).queryParam("start", 1).queryParam("limit", 2)
                .get("/nodes/pve1/tasks/" + Pve.enc(upid) + "/log");
        page.then().statusCode(200).body("total", equalTo(4)).body("data.n", equalTo(List.of(2, 3)))
                .body("data.t", equalTo(all.subList(1, 3)));
        Pve.api().urlEncodingEnabled(false).queryParam("download", 1).get("/nodes/pve1/tasks/" + Pve.enc(upid) + "/log").then()
                .statusCode(200).body("data", equalTo(String.join("\n", all) + "\n"));
        Pve.api().urlEncodingEnabled(false).queryParam("download", 1).queryParam("limit", 5)
                .get("/nodes/pve1/tasks/" + Pve.enc(upid) + "/log").then().statusCode(400);
        // the task list filters
        Pve.api().queryParam("statusfilter", "warning").get("/nodes/pve1/tasks").then().body("data.upid", equalTo(List.of(upid)));
        Pve.api().queryParam("typefilter", "vzclone").queryParam("limit", 1).get("/nodes/pve1/tasks").then()
                .body("data", hasSize(1)).body("data[0].type", equalTo("vzclone"))
                .body("data[0].user", equalTo("root@pam!sandplane"));
        Pve.api().queryParam("vmid", 920).get("/nodes/pve2/tasks").then().body("data", hasSize(0));
        // a task is only known on its own node
        Pve.api().urlEncodingEnabled(false).get("/nodes/pve2/tasks/" + Pve.enc(upid) + "/status").then().statusCode(400)
                .body("errors.upid", equalTo("no such task\n"));
    }
}
