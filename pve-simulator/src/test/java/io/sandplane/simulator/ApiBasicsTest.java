package io.sandplane.simulator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ApiBasicsTest {

    @BeforeEach
    void reset() {
        Pve.reset();
    }

    @Test
    void missingOrWrongTokenIs401WithEmptyBody() {
        Response none = given().get("/api2/json/nodes");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.statusLine()).contains("No ticket");
        assertThat(none.asString()).isEmpty();
        Response wrong = given().header("Authorization", "PVEAPIToken=root@pam!sandplane=nope").get("/api2/json/nodes");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.statusLine()).contains("Authentication failed!");
        assertThat(wrong.asString()).isEmpty();
        // the value is split on its last '=': a secret cannot contain one, the token id can't be confused
        given().header("Authorization", "PVEAPIToken=root@pam!sandplane=sandplane-simulator-secret=x").get("/api2/json/nodes")
                .then().statusCode(401);
    }

    @Test
    void unknownPathAndBodyOnGetAre501() {
        Response r = Pve.api().get("/nodes/pve1/foo");
        assertThat(r.statusCode()).isEqualTo(501);
        assertThat(r.statusLine()).contains("Method 'GET /nodes/pve1/foo' not implemented");
        Response body = Pve.api().contentType("application/x-www-form-urlencoded").body("a=b").delete("/nodes/pve1/lxc/9001");
        assertThat(body.statusCode()).isEqualTo(501);
        assertThat(body.statusLine()).contains("Unexpected content for method 'DELETE'");
        Pve.api().contentType("application/json").body("{}").get("/nodes").then().statusCode(501);
    }

    @Test
    void parameterErrorsArePveStyle400() {
        Pve.post("/nodes/pve1/lxc/9001/clone", "newid", "abc", "hostname", "bad_name", "bogus", "1")
                .then().statusCode(400)
                .body("message", equalTo("Parameter verification failed.\n"))
                .body("errors.newid", equalTo("type check ('integer') failed - got 'abc'\n"))
                .body("errors.hostname", equalTo("invalid format - value does not look like a valid DNS name\n"))
                .body("errors.bogus", containsString("property is not defined in schema"));
        Pve.post("/nodes/pve1/lxc/9001/clone").then().statusCode(400)
                .body("errors.newid", equalTo("property is missing and it is not optional\n"));
        // PVE checks the format before the range: 99 is not a VM ID at all
        Pve.post("/nodes/pve1/lxc/9001/clone", "newid", "99").then().statusCode(400)
                .body("errors.newid", equalTo("invalid format - value does not look like a valid VM ID\n"));
        Pve.api().contentType("application/x-www-form-urlencoded").formParam("memory", "8")
                .put("/nodes/pve1/lxc/9001/config").then().statusCode(400)
                .body("errors.memory", equalTo("value must have a minimum value of 16\n"));
        Pve.post("/nodes/pve1/lxc/9001/clone", "newid", "300", "full", "true").then().statusCode(400)
                .body("errors.full", equalTo("type check ('boolean') failed - got 'true'\n"));
        Pve.api().contentType("application/x-www-form-urlencoded").formParam("tags", "ok,b@d")
                .put("/nodes/pve1/lxc/9001/config").then().statusCode(400)
                .body("errors.tags", equalTo("invalid format - invalid characters in tag\n"));
        Pve.api().get("/nodes/pve1/lxc/abc/config").then().statusCode(400)
                .body("errors.vmid", equalTo("type check ('integer') failed - got 'abc'\n"));
        Pve.api().get("/nodes/pve1/lxc/0100/config").then().statusCode(400)
                .body("errors.vmid", equalTo("invalid format - value does not look like a valid VM ID\n"));
        Pve.api().queryParam("type", "vms").get("/cluster/resources").then().statusCode(400)
                .body("errors.type", equalTo("value 'vms' does not have a value in the enumeration 'vm, storage, node, sdn'\n"));
        Pve.api().contentType("application/x-www-form-urlencoded").formParam("description", "x".repeat(8193))
                .put("/nodes/pve1/lxc/9001/config").then().statusCode(400)
                .body("errors.description", equalTo("value may only be 8192 characters long\n"));
        Pve.api().contentType("application/x-www-form-urlencoded").formParam("hostname", "ok").formParam("node", "pve2")
                .put("/nodes/pve1/lxc/9001/config").then().statusCode(400)
                .body("errors.node", equalTo("duplicate parameter (already defined in URI) with conflicting values!\n"));
    }

    @Test
    void jsonBodiesAreAcceptedWithRealBooleans() {
        String upid = Pve.upid(Pve.api().contentType("application/json")
                .body(Map.of("newid", 4321, "hostname", "json-clone", "full", false)).post("/nodes/pve1/lxc/9001/clone"));
        assertThat(Pve.await("pve1", upid)).isEqualTo("OK");
        Pve.api().get("/nodes/pve1/lxc/4321/config").then().statusCode(200).body("data.hostname", equalTo("json-clone"));
    }

    @Test
    void clusterAndNodes() {
        Pve.api().get("/version").then().statusCode(200).body("data.release", equalTo("9.1"));
        Pve.api().get("/nodes").then().statusCode(200).body("data.node", hasItems("pve1", "pve2", "pve3"))
                .body("data.find { it.node == 'pve1' }.status", equalTo("online"));
        Pve.api().get("/nodes/pve1/dns").then().statusCode(200).body("data.search", equalTo("sandplane.test"));
        Pve.api().get("/nodes/pve1/status").then().statusCode(200).body("data.cpuinfo.cpus", equalTo(32));
        Pve.api().queryParam("content", "rootdir").get("/nodes/pve1/storage").then().statusCode(200)
                .body("data", hasSize(1)).body("data[0].storage", equalTo("local-lvm"));
        Pve.api().queryParam("content", "vztmpl").get("/nodes/pve2/storage").then().statusCode(200)
                .body("data.storage", equalTo(List.of("local")));
        Pve.api().get("/nodes/nosuch/storage").then().statusCode(500)
                .body("message", containsString("hostname lookup 'nosuch' failed"));
        Pve.api().queryParam("type", "vm").get("/cluster/resources").then().statusCode(200)
                .body("data.id", hasItems("lxc/9001", "lxc/9002", "lxc/9003", "lxc/9004", "lxc/9011", "lxc/9012"))
                .body("data.find { it.vmid == 9012 }.node", equalTo("pve3"))
                .body("data.find { it.vmid == 9001 }.template", equalTo(1));
    }

    @Test
    void storageUsageFollowsGuests() {
        long before = Pve.api().get("/nodes/pve1/storage").then().extract().jsonPath()
                .getLong("data.find { it.storage == 'local-lvm' }.avail");
        Pve.cloneAndWait("pve1", 9001, 500, "uses-space");
        long after = Pve.api().get("/nodes/pve1/storage").then().extract().jsonPath()
                .getLong("data.find { it.storage == 'local-lvm' }.avail");
        assertThat(before - after).isEqualTo(32L * 1024 * 1024 * 1024);
    }

    @Test
    void nextidIsTheLowestFreeIdAndReservesNothing() {
        Pve.api().get("/cluster/nextid").then().statusCode(200).body("data", equalTo("100"));
        Pve.api().get("/cluster/nextid").then().statusCode(200).body("data", equalTo("100"));
        Pve.cloneAndWait("pve1", 9001, 100, "first");
        Pve.api().get("/cluster/nextid").then().statusCode(200).body("data", equalTo("101"));
        Pve.api().queryParam("vmid", 100).get("/cluster/nextid").then().statusCode(400)
                .body("errors.vmid", equalTo("VM 100 already exists\n"));
        Pve.api().queryParam("vmid", 555).get("/cluster/nextid").then().statusCode(200).body("data", equalTo("555"));
        // still free: asking reserved nothing
        Pve.cloneAndWait("pve1", 9002, 555, "second");
    }

    @Test
    void operatorGuestHelpers() {
        given().contentType("application/json")
                .body(Map.of("vmid", 777, "node", "pve2", "type", "lxc", "status", "running",
                        "config", Map.of("hostname", "by-hand", "net0", "name=eth0,bridge=vmbr0,ip=dhcp", "tags", "x")))
                .post("/_sim/guests").then().statusCode(200).body("status", equalTo("running"));
        Pve.api().get("/nodes/pve2/lxc/777/status/current").then().statusCode(200).body("data.status", equalTo("running"));
        given().delete("/_sim/guests/777").then().statusCode(204);
        Pve.api().get("/nodes/pve2/lxc/777/status/current").then().statusCode(500)
                .body("message", equalTo("Configuration file 'nodes/pve2/lxc/777.conf' does not exist\n"));
        given().contentType("application/json").body(Map.of("vmid", 9001, "node", "pve1", "type", "lxc"))
                .post("/_sim/guests").then().statusCode(400).body("error", containsString("taken"));
        given().get("/_sim/guests").then().statusCode(200).body("find { it.vmid == 9011 }.lock", nullValue());
    }
}
