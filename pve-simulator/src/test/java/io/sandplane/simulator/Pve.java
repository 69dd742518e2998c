package io.sandplane.simulator;

import static io.restassured.RestAssured.given;
import org.awaitility.Awaitility;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** Test fixtures: PVE API calls with the simulator's token, task waiting, operator controls. */
final class Pve {

    static final String TOKEN = "root@pam!sandplane=sandplane-simulator-secret";
    static final String API = "/api2/json";

    private Pve() {
    }

    static RequestSpecification api() {
        return given().header("Authorization", "PVEAPIToken=" + TOKEN).basePath(API);
    }

    /** Back to the default scenario, configured latencies, no faults, no calls. */
    static void reset() {
        given().contentType("application/json").body("{}").post("/_sim/reset").then().statusCode(200);
    }

    static void latencies(Map<String, Long> millis) {
        given().contentType("application/json").body(millis).put("/_sim/latencies").then().statusCode(200);
    }

    static void zeroLatencies() {
        latencies(Map.ofEntries(Map.entry("clone", 0L), Map.entry("create", 0L), Map.entry("start", 0L),
                Map.entry("stop", 0L), Map.entry("shutdown", 0L), Map.entry("reboot", 0L), Map.entry("suspend", 0L),
                Map.entry("resume", 0L), Map.entry("destroy", 0L), Map.entry("template", 0L), Map.entry("snapshot", 0L),
                Map.entry("rollback", 0L), Map.entry("config", 0L)));
    }

    static String fault(String json) {
        return given().contentType("application/json").body(json).post("/_sim/faults").then().statusCode(200)
                .extract().path("id");
    }

    static String upid(Response r) {
        r.then().statusCode(200);
        return r.path("data");
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Waits for a task to stop and returns its exit status. */
    static String await(String node, String upid) {
        String[] exit = new String[1];
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).until(() -> {
            Response r = api().urlEncodingEnabled(false).get("/nodes/" + node + "/tasks/" + enc(upid) + "/status");
            if (r.statusCode() == 200 && "stopped".equals(r.path("data.status"))) {
                exit[0] = r.path("data.exitstatus");
                return true;
            }
            return false;
        });
        return exit[0];
    }

    static Response post(String path, Object... formPairs) {
        RequestSpecification spec = api().contentType("application/x-www-form-urlencoded");
        for (int i = 0; i < formPairs.length; i += 2) {
            spec = spec.formParam((String) formPairs[i], formPairs[i + 1]);
        }
        return spec.post(path);
    }

    /** Linked-clones a template and waits; returns the task's exit status. */
    static String cloneAndWait(String node, int template, int newid, String hostname) {
        return await(node, upid(post("/nodes/" + node + "/lxc/" + template + "/clone", "newid", newid, "hostname", hostname)));
    }

    static Response put(String path, Object... formPairs) {
        RequestSpecification spec = api().contentType("application/x-www-form-urlencoded");
        for (int i = 0; i < formPairs.length; i += 2) {
            spec = spec.formParam((String) formPairs[i], formPairs[i + 1]);
        }
        return spec.put(path);
    }

    static Response delete(String path, Object... queryPairs) {
        RequestSpecification spec = api();
        for (int i = 0; i < queryPairs.length; i += 2) {
            spec = spec.queryParam((String) queryPairs[i], queryPairs[i + 1]);
        }
        return spec.delete(path);
    }

    /** A task's log lines. */
    static java.util.List<String> log(String node, String upid) {
        return api().urlEncodingEnabled(false).queryParam("limit", 0).get("/nodes/" + node + "/tasks/" + enc(upid) + "/log")
                .then().statusCode(200).extract().path("data.t");
    }

    /** Creates a QEMU VM (an 8 GiB disk on local-lvm, a virtio NIC, the agent on) and waits. */
    static void createVm(String node, int vmid, Object... more) {
        Object[] base = {"vmid", vmid, "name", "vm-" + vmid, "memory", 1024, "scsi0", "local-lvm:8",
                "net0", "virtio,bridge=vmbr0", "agent", "1"};
        Object[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        String exit = await(node, upid(post("/nodes/" + node + "/qemu", all)));
        if (!exit.equals("OK")) {
            throw new AssertionError("creating VM " + vmid + " ended with " + exit);
        }
    }

    /** Waits for a task and insists that it succeeded. */
    static void awaitOk(String node, Response taskCall) {
        String exit = await(node, upid(taskCall));
        if (!exit.equals("OK")) {
            throw new AssertionError("task ended with " + exit);
        }
    }

    static String startAndWait(String node, int vmid) {
        return await(node, upid(post("/nodes/" + node + "/lxc/" + vmid + "/status/start")));
    }

    /** The running guest's eth0 address, from /interfaces. */
    static String address(String node, int vmid) {
        return api().get("/nodes/" + node + "/lxc/" + vmid + "/interfaces").then().statusCode(200)
                .extract().path("data.find { it.name == 'eth0' }.inet").toString().split("/")[0];
    }
}
