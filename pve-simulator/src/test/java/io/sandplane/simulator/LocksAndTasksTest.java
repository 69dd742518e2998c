package io.sandplane.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class LocksAndTasksTest {

    private static final String UPID_RE =
            "^UPID:[a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:[^:\\s/]+:[^:\\s/]*:[^:\\s/]+:$";

    @BeforeEach
    void reset() {
        Pve.reset();
    }

    @Test
    void concurrentCloneOfOneTemplateFailsAtOnceWithLockDisk() throws Exception {
        Pve.latencies(Map.of("clone", 1500L));
        Response first = Pve.post("/nodes/pve1/lxc/9001/clone", "newid", 300, "hostname", "a");
        String upid = Pve.upid(first);
        // the source carries lock disk, the target lock create, while the task runs
        Pve.api().get("/nodes/pve1/lxc/9001/status/current").then().body("data.lock", equalTo("disk"));
        Pve.api().get("/nodes/pve1/lxc/300/config").then().body("data.lock", equalTo("create"));
        Response second = Pve.post("/nodes/pve1/lxc/9001/clone", "newid", 301, "hostname", "b");
        assertThat(second.statusCode()).isEqualTo(500);
        assertThat(second.statusLine()).endsWith("CT is locked (disk)");
        assertThat(second.<String>path("message")).isEqualTo("CT is locked (disk)\n");
        // nothing half-made by the refused clone
        Pve.api().get("/nodes/pve1/lxc/301/config").then().statusCode(500);
        // another copy of the same preset clones in parallel
        String other = Pve.upid(Pve.post("/nodes/pve1/lxc/9002/clone", "newid", 302, "hostname", "c"));
        // starting the half-made clone fails inside the task on its lock
        assertThat(Pve.await("pve1", Pve.upid(Pve.post("/nodes/pve1/lxc/300/status/start")))).isEqualTo("CT is locked (create)");
        assertThat(Pve.await("pve1", upid)).isEqualTo("OK");
        assertThat(Pve.await("pve1", other)).isEqualTo("OK");
        Pve.api().get("/nodes/pve1/lxc/9001/status/current").then().body("data.lock", nullValue());
        Pve.api().get("/nodes/pve1/lxc/300/config").then().body("data.lock", nullValue());
    }

    @Test
    void parallelRaceOnOneTemplateHasExactlyOneWinner() {
        Pve.latencies(Map.of("clone", 500L));
        List<CompletableFuture<Response>> calls = List.of(400, 401, 402, 403).stream()
                .map(id -> CompletableFuture.supplyAsync(() -> Pve.post("/nodes/pve2/lxc/9003/clone", "newid", id))).toList();
        List<Integer> statuses = calls.stream().map(CompletableFuture::join).map(Response::statusCode).toList();
        assertThat(statuses).containsOnly(200, 500);
        assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(1);
    }

    @Test
    void cloneToATakenIdSaysAlreadyExists() {
        Pve.post("/nodes/pve1/lxc/9001/clone", "newid", 9012).then().statusCode(500)
                .body("message", equalTo("CT 9012 already exists on node 'pve3'\n"));
        Pve.api().get("/nodes/pve1/lxc/9001/status/current").then().body("data.lock", nullValue());
        Pve.post("/nodes/pve1/lxc/9001/clone", "newid", 310, "storage", "local-lvm").then().statusCode(500)
                .body("message", equalTo("parameter 'storage' not allowed for linked clones\n"));
        Pve.post("/nodes/pve1/lxc/9999/clone", "newid", 311).then().statusCode(500)
                .body("message", equalTo("Configuration file 'nodes/pve1/lxc/9999.conf' does not exist\n"));
    }

    @Test
    void upidLifecycleAndLog() {
        Pve.latencies(Map.of("clone", 400L));
        String upid = Pve.upid(Pve.post("/nodes/pve1/lxc/9001/clone", "newid", 320));
        assertThat(upid).matches(UPID_RE).contains(":vzclone:9001:root@pam!sandplane:").startsWith("UPID:pve1:");
        Pve.api().urlEncodingEnabled(false).get("/nodes/pve1/tasks/" + Pve.enc(upid) + "/status").then().statusCode(200)
                .body("data.status", equalTo("running")).body("data.exitstatus", nullValue())
                .body("data.user", equalTo("root@pam")).body("data.tokenid", equalTo("sandplane"))
                .body("data.type", equalTo("vzclone")).body("data.id", equalTo("9001"));
        assertThat(Pve.await("pve1", upid)).isEqualTo("OK");
        Response log = Pve.api().urlEncodingEnabled(false).get("/nodes/pve1/tasks/" + Pve.enc(upid) + "/log");
        log.then().statusCode(200).body("data[0].n", equalTo(1)).body("data.t", hasItem("TASK OK"));
        assertThat(log.<Integer>path("total")).isEqualTo(log.<List<?>>path("data").size());
        Pve.api().queryParam("vmid", 9001).queryParam("typefilter", "vzclone").get("/nodes/pve1/tasks").then()
                .statusCode(200).body("data.upid", hasItem(upid));
        Pve.api().get("/nodes/pve1/tasks/UPID:pve1:00000001:00000001:00000001:vzclone:1:root@pam:/status").then()
                .statusCode(400).body("errors.upid", equalTo("no such task\n"));
        Pve.api().get("/nodes/pve1/tasks/garbage/status").then().statusCode(400);
    }

    @Test
    void taskFaultsEndWithTheirExitStatus() {
        Pve.zeroLatencies();
        Pve.fault("{\"method\":\"POST\",\"path\":\"/nodes/pve1/lxc/9001/clone\",\"kind\":\"task\","
                + "\"exitstatus\":\"clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout\",\"count\":1}");
        String failed = Pve.upid(Pve.post("/nodes/pve1/lxc/9001/clone", "newid", 330));
        assertThat(Pve.await("pve1", failed)).startsWith("clone failed: can't lock file");
        // a failed clone leaves nothing behind and unlocks its source
        Pve.api().get("/nodes/pve1/lxc/330/config").then().statusCode(500);
        Pve.api().get("/nodes/pve1/lxc/9001/status/current").then().body("data.lock", nullValue());
        Pve.fault("{\"path\":\".*/status/start\",\"kind\":\"task\",\"exitstatus\":\"WARNINGS: 2\",\"count\":1}");
        Pve.cloneAndWait("pve1", 9001, 331, "warned");
        assertThat(Pve.startAndWait("pve1", 331)).isEqualTo("WARNINGS: 2");
        Pve.api().get("/nodes/pve1/lxc/331/status/current").then().body("data.status", equalTo("running"));
    }

    @Test
    void errorFaultsAndRecordedCalls() {
        Pve.fault("{\"method\":\"POST\",\"path\":\"/nodes/pve1/lxc/\\\\d+/clone\",\"kind\":\"error\",\"status\":596,"
                + "\"message\":\"Connection timed out\",\"count\":1}");
        Response r = Pve.post("/nodes/pve1/lxc/9001/clone", "newid", 340);
        assertThat(r.statusCode()).isEqualTo(596);
        assertThat(r.statusLine()).contains("Connection timed out");
        Pve.api().get("/nodes/pve1/lxc/340/config").then().statusCode(500);
        Pve.post("/nodes/pve1/lxc/9001/clone", "newid", 340).then().statusCode(200);
        Pve.fault("{\"method\":\"PUT\",\"path\":\".*/config\",\"kind\":\"timeout\",\"count\":1}");
        Pve.api().contentType("application/x-www-form-urlencoded").formParam("memory", 1024).put("/nodes/pve1/lxc/9002/config")
                .then().statusCode(500)
                .body("message", equalTo("can't lock file '/run/lock/lxc/pve-config-9002.lock' - got timeout\n"));
        io.restassured.RestAssured.given().queryParam("method", "POST").queryParam("path", ".*/clone").get("/_sim/calls").then()
                .statusCode(200).body("status", equalTo(List.of(596, 200)))
                .body("[0].params.newid", equalTo("340"));
        io.restassured.RestAssured.given().delete("/_sim/calls").then().statusCode(204);
        io.restassured.RestAssured.given().get("/_sim/calls").then().body("size()", equalTo(0));
    }

    @Test
    void legacyErrorStyleKeepsTheMessageOnlyInTheReasonPhrase() {
        io.restassured.RestAssured.given().contentType("application/json").body(Map.of("errorStyle", "legacy"))
                .put("/_sim/settings").then().statusCode(200);
        Response r = Pve.api().get("/nodes/pve1/lxc/999/config");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.statusLine()).endsWith("Configuration file 'nodes/pve1/lxc/999.conf' does not exist");
        assertThat(r.asString()).isEqualTo("{\"data\":null}");
        Pve.post("/nodes/pve1/lxc/9001/clone").then().statusCode(400).body("message", nullValue())
                .body("errors.newid", equalTo("property is missing and it is not optional\n"));
        io.restassured.RestAssured.given().contentType("application/json").body(Map.of("errorStyle", "modern"))
                .put("/_sim/settings").then().statusCode(200);
        Pve.api().get("/nodes/pve1/lxc/999/config").then()
                .body("message", equalTo("Configuration file 'nodes/pve1/lxc/999.conf' does not exist\n"));
    }
}
