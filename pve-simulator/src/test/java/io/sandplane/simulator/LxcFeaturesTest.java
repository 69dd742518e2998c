package io.sandplane.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** LXC beyond clone and start: create from a template archive, template conversion, snapshots, suspend, full clones. */
@QuarkusTest
class LxcFeaturesTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String DEBIAN = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";

    @BeforeEach
    void reset() {
        Pve.reset();
        Pve.zeroLatencies();
    }

    @Test
    void createFromATemplateArchive() throws Exception {
        Pve.latencies(Map.of("create", 1000L));
        String upid = Pve.upid(Pve.post("/nodes/pve2/lxc", "vmid", 600, "ostemplate", DEBIAN, "rootfs", "local-lvm:8",
                "hostname", "made-here", "memory", 1024, "cores", 2, "tags", "Sandplane,b", "description", "from scratch",
                "net0", "name=eth0,bridge=vmbr0,ip=dhcp", "mp0", "local-lvm:2,mp=/data", "start", 1));
        assertThat(upid).startsWith("UPID:pve2:").contains(":vzcreate:600:root@pam!sandplane:");
        // the config exists (and the id is taken) at once, locked until the task ends
        Pve.api().get("/nodes/pve2/lxc/600/config").then().statusCode(200).body("data.lock", equalTo("create"));
        Pve.api().queryParam("vmid", 600).get("/cluster/nextid").then().statusCode(400)
                .body("errors.vmid", equalTo("VM 600 already exists\n"));
        Pve.post("/nodes/pve1/lxc/9001/clone", "newid", 600).then().statusCode(500)
                .body("message", equalTo("CT 600 already exists on node 'pve2'\n"));
        assertThat(Pve.await("pve2", upid)).isEqualTo("OK");
        assertThat(Pve.log("pve2", upid)).contains("extracting archive '" + DEBIAN + "'", "TASK OK");
        Pve.api().get("/nodes/pve2/lxc/600/config").then().statusCode(200)
                .body("data.lock", nullValue())
                .body("data.hostname", equalTo("made-here"))
                .body("data.ostype", equalTo("debian"))
                .body("data.arch", equalTo("amd64"))
                .body("data.unprivileged", equalTo(1))
                .body("data.memory", equalTo(1024))
                .body("data.rootfs", equalTo("local-lvm:vm-600-disk-0,size=8G"))
                .body("data.mp0", equalTo("local-lvm:vm-600-disk-1,mp=/data,size=2G"))
                .body("data.tags", equalTo("b;sandplane"))
                .body("data.description", equalTo("from scratch\n"))
                .body("data.net0", matchesPattern("name=eth0,bridge=vmbr0,ip=dhcp,hwaddr=BC:24:11:[0-9A-F:]{8}"));
        Pve.api().get("/nodes/pve2/lxc/600/status/current").then().body("data.status", equalTo("running"))
                .body("data.maxdisk", equalTo(8 * 1024 * 1024 * 1024L));
        String ip = Pve.address("pve2", 600);
        assertThat(get("http://" + ip + ":39375/healthz")).isEqualTo("ok");
    }

    @Test
    void createRefusesWhatPveRefuses() {
        Pve.post("/nodes/pve1/lxc", "vmid", 9002, "ostemplate", DEBIAN, "rootfs", "local-lvm:8").then().statusCode(500)
                .body("message", equalTo("CT 9002 already exists on node 'pve1'\n"));
        Pve.post("/nodes/pve1/lxc", "vmid", 601, "ostemplate", "local-lvm:vztmpl/debian.tar.zst", "rootfs", "local-lvm:8")
                .then().statusCode(500).body("message", equalTo("volume 'local-lvm:vztmpl/debian.tar.zst' does not exist\n"));
        Pve.post("/nodes/pve1/lxc", "vmid", 601, "ostemplate", DEBIAN).then().statusCode(500)
                .body("message", equalTo("storage 'local' does not support container directories\n"));
        Pve.post("/nodes/pve1/lxc", "vmid", 601, "ostemplate", DEBIAN, "rootfs", "local-lvm:100000").then().statusCode(500)
                .body("message", containsString("not enough free space on storage 'local-lvm'"));
        Pve.post("/nodes/pve1/lxc", "ostemplate", DEBIAN).then().statusCode(400)
                .body("errors.vmid", equalTo("property is missing and it is not optional\n"));
        // nothing half-made by the refusals
        Pve.api().get("/nodes/pve1/lxc/601/config").then().statusCode(500);
        // a create whose task fails leaves nothing behind either
        Pve.fault("{\"method\":\"POST\",\"path\":\"/nodes/pve1/lxc\",\"kind\":\"task\",\"exitstatus\":\"unable to open file\",\"count\":1}");
        assertThat(Pve.await("pve1", Pve.upid(Pve.post("/nodes/pve1/lxc", "vmid", 602, "ostemplate", DEBIAN,
                "rootfs", "local-lvm:8")))).isEqualTo("unable to open file");
        Pve.api().get("/nodes/pve1/lxc/602/config").then().statusCode(500);
        Pve.api().get("/cluster/nextid").then().body("data", equalTo("100"));
    }

    @Test
    void templateReturnsNullAndConvertsInTheBackground() {
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc", "vmid", 610, "ostemplate", DEBIAN, "rootfs", "local-lvm:8",
                "hostname", "golden"));
        Pve.latencies(Map.of("template", 1000L));
        Pve.post("/nodes/pve1/lxc/610/template").then().statusCode(200).body("data", nullValue());
        Pve.api().get("/nodes/pve1/lxc/610/config").then().body("data.template", nullValue());
        // PVE discards the worker's UPID; the task is still there to be found
        Response active = Pve.api().queryParam("vmid", 610).queryParam("typefilter", "vztemplate").queryParam("source", "all")
                .get("/nodes/pve1/tasks");
        active.then().statusCode(200).body("data.size()", equalTo(1));
        String upid = active.path("data[0].upid");
        assertThat(upid).contains(":vztemplate:610:");
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                Pve.api().get("/nodes/pve1/lxc/610/config").then().body("data.template", equalTo(1)));
        assertThat(Pve.await("pve1", upid)).isEqualTo("OK");
        Pve.api().get("/nodes/pve1/lxc/610/config").then().body("data.rootfs", equalTo("local-lvm:base-610-disk-0,size=8G"));
        Pve.api().queryParam("type", "vm").get("/cluster/resources").then().body("data.find { it.vmid == 610 }.template", equalTo(1));
        Pve.post("/nodes/pve1/lxc/610/template").then().statusCode(500)
                .body("message", equalTo("you can't convert a template to a template\n"));
        assertThat(Pve.await("pve1", Pve.upid(Pve.post("/nodes/pve1/lxc/610/snapshot", "snapname", "nope"))))
                .isEqualTo("you can't take a snapshot if it's a template");
        // the new template clones like the scenario's
        Pve.cloneAndWait("pve1", 610, 611, "from-golden");
        Pve.api().get("/nodes/pve1/lxc/611/config").then().body("data.rootfs", equalTo("local-lvm:base-610-disk-0/vm-611-disk-0,size=8G"));
        // a template can't be started
        assertThat(Pve.await("pve1", Pve.upid(Pve.post("/nodes/pve1/lxc/610/status/start"))))
                .isEqualTo("you can't start a CT if it's a template");

        // only a template's base volume can be the base of a linked clone
        Pve.post("/nodes/pve1/lxc/611/clone", "newid", 612, "full", 0).then().statusCode(500)
                .body("message", equalTo("Linked clone feature for 'local-lvm:base-610-disk-0/vm-611-disk-0' is not available\n"));
        Pve.startAndWait("pve1", 611);
        Pve.post("/nodes/pve1/lxc/611/template").then().statusCode(500)
                .body("message", equalTo("you can't convert a CT to template if the CT is running\n"));
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/611/snapshot", "snapname", "before"));
        // PVE looks at snapshots before it looks at whether the CT runs
        Pve.post("/nodes/pve1/lxc/611/template").then().statusCode(500)
                .body("message", equalTo("unable to create template, because CT contains snapshots\n"));
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/611/status/stop"));
        Pve.post("/nodes/pve1/lxc/611/template").then().statusCode(500)
                .body("message", equalTo("unable to create template, because CT contains snapshots\n"));
    }

    @Test
    void snapshotsCreateListRollbackDelete() throws Exception {
        Pve.cloneAndWait("pve1", 9001, 620, "snappy");
        int memory = Pve.api().get("/nodes/pve1/lxc/620/config").then().extract().path("data.memory");
        Pve.startAndWait("pve1", 620);
        String ip = Pve.address("pve1", 620);
        exec(ip, "echo one > state.txt");

        String snap = Pve.upid(Pve.post("/nodes/pve1/lxc/620/snapshot", "snapname", "first", "description", "state one"));
        assertThat(snap).contains(":vzsnapshot:620:");
        assertThat(Pve.await("pve1", snap)).isEqualTo("OK");
        exec(ip, "echo two > state.txt; touch later.txt");
        Pve.put("/nodes/pve1/lxc/620/config", "memory", 2048).then().statusCode(200);
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/620/snapshot", "snapname", "second"));

        Response list = Pve.api().get("/nodes/pve1/lxc/620/snapshot");
        list.then().statusCode(200)
                .body("data.name", equalTo(List.of("first", "second", "current")))
                .body("data.find { it.name == 'first' }.description", equalTo("state one\n"))
                .body("data.find { it.name == 'second' }.parent", equalTo("first"))
                .body("data.find { it.name == 'current' }.parent", equalTo("second"));
        assertThat(list.<Integer>path("data.find { it.name == 'first' }.snaptime")).isPositive();
        Pve.api().get("/nodes/pve1/lxc/620/snapshot/first/config").then().statusCode(200)
                .body("data.memory", equalTo(memory)).body("data.description", equalTo("state one\n"));
        Pve.api().queryParam("snapshot", "second").get("/nodes/pve1/lxc/620/config").then().body("data.memory", equalTo(2048));
        Pve.api().contentType("application/x-www-form-urlencoded").formParam("description", "renamed")
                .put("/nodes/pve1/lxc/620/snapshot/first/config").then().statusCode(200).body("data", nullValue());
        Pve.api().get("/nodes/pve1/lxc/620/snapshot").then().body("data.find { it.name == 'first' }.description", equalTo("renamed\n"));

        // what PVE refuses
        Pve.post("/nodes/pve1/lxc/620/snapshot", "snapname", "current").then().statusCode(500)
                .body("message", equalTo("unable to use snapshot name 'current' (reserved name)\n"));
        Pve.post("/nodes/pve1/lxc/620/snapshot", "snapname", "1st").then().statusCode(400)
                .body("errors.snapname", equalTo("invalid format - invalid configuration ID '1st'\n"));
        assertThat(Pve.await("pve1", Pve.upid(Pve.post("/nodes/pve1/lxc/620/snapshot", "snapname", "first"))))
                .isEqualTo("snapshot name 'first' already used");
        assertThat(Pve.await("pve1", Pve.upid(Pve.post("/nodes/pve1/lxc/620/snapshot/nope/rollback"))))
                .isEqualTo("snapshot 'nope' does not exist");

        // rollback: the config and the files of the snapshot; the container stops unless asked to start
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/620/snapshot/first/rollback"));
        Pve.api().get("/nodes/pve1/lxc/620/status/current").then().body("data.status", equalTo("stopped"));
        Pve.api().get("/nodes/pve1/lxc/620/config").then().body("data.memory", equalTo(memory)).body("data.hostname", equalTo("snappy"));
        Pve.api().get("/nodes/pve1/lxc/620/snapshot").then().body("data.find { it.name == 'current' }.parent", equalTo("first"));
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/620/snapshot/second/rollback", "start", 1));
        Pve.api().get("/nodes/pve1/lxc/620/status/current").then().body("data.status", equalTo("running"));
        assertThat(exec(ip, "cat state.txt; ls")).contains("\"data\":\"two\"", "\"data\":\"later.txt\"");
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/620/snapshot/first/rollback", "start", 1));
        assertThat(exec(ip, "cat state.txt; ls")).contains("\"data\":\"one\"").doesNotContain("later.txt");

        // delete: the child is re-parented, the list shrinks
        String del = Pve.upid(Pve.delete("/nodes/pve1/lxc/620/snapshot/first"));
        assertThat(del).contains(":vzdelsnapshot:620:");
        assertThat(Pve.await("pve1", del)).isEqualTo("OK");
        Pve.api().get("/nodes/pve1/lxc/620/snapshot").then()
                .body("data.name", equalTo(List.of("second", "current")))
                .body("data.find { it.name == 'second' }.parent", nullValue());
        assertThat(Pve.await("pve1", Pve.upid(Pve.delete("/nodes/pve1/lxc/620/snapshot/first"))))
                .isEqualTo("snapshot 'first' does not exist");
        Pve.api().get("/nodes/pve1/lxc/620/snapshot/first/config").then().statusCode(500)
                .body("message", equalTo("snapshot 'first' does not exist\n"));
    }

    @Test
    void suspendAndResume() throws Exception {
        Pve.cloneAndWait("pve2", 9004, 630, "sleepy");
        Pve.post("/nodes/pve2/lxc/630/status/suspend").then().statusCode(500).body("message", equalTo("CT 630 not running\n"));
        Pve.startAndWait("pve2", 630);
        String ip = Pve.address("pve2", 630);
        exec(ip, "echo kept > mark.txt");
        Pve.post("/nodes/pve2/lxc/630/status/resume").then().statusCode(500).body("message", equalTo("CT 630 already running\n"));

        String suspend = Pve.upid(Pve.post("/nodes/pve2/lxc/630/status/suspend"));
        assertThat(suspend).contains(":vzsuspend:630:");
        assertThat(Pve.await("pve2", suspend)).isEqualTo("OK");
        // checkpointed to disk: the container no longer runs and serves nothing
        Pve.api().get("/nodes/pve2/lxc/630/status/current").then().body("data.status", equalTo("stopped"));
        Pve.api().get("/nodes/pve2/lxc/630/interfaces").then().statusCode(200).body("data", nullValue());
        assertThatThrownBy(() -> get("http://" + ip + ":39375/healthz")).isInstanceOf(IOException.class);

        String resume = Pve.upid(Pve.post("/nodes/pve2/lxc/630/status/resume"));
        assertThat(resume).contains(":vzresume:630:");
        assertThat(Pve.await("pve2", resume)).isEqualTo("OK");
        Pve.api().get("/nodes/pve2/lxc/630/status/current").then().body("data.status", equalTo("running"));
        assertThat(Pve.address("pve2", 630)).isEqualTo(ip);
        assertThat(exec(ip, "cat mark.txt")).contains("\"data\":\"kept\"");
    }

    @Test
    void shutdownRebootAndFullClones() throws Exception {
        Pve.cloneAndWait("pve1", 9011, 640, "cycle");
        Pve.startAndWait("pve1", 640);
        Pve.post("/nodes/pve1/lxc/640/clone", "newid", 641, "full", 1).then().statusCode(500)
                .body("message", equalTo("Full clone of a running container is only possible from a snapshot\n"));
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/640/snapshot", "snapname", "base"));
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/640/clone", "newid", 641, "full", 1, "snapname", "base",
                "hostname", "copy", "storage", "local-lvm"));
        Pve.api().get("/nodes/pve1/lxc/641/config").then().statusCode(200)
                .body("data.rootfs", equalTo("local-lvm:vm-641-disk-0,size=40G"))
                .body("data.hostname", equalTo("copy"))
                .body("data.parent", nullValue());
        // clones get their own MAC
        String mac640 = Pve.api().get("/nodes/pve1/lxc/640/config").then().extract().path("data.net0");
        Pve.api().get("/nodes/pve1/lxc/641/config").then().body("data.net0", not(equalTo(mac640)));

        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/640/status/reboot"));
        Pve.api().get("/nodes/pve1/lxc/640/status/current").then().body("data.status", equalTo("running"));
        // Read again: a guest keeps its address across a reboot unless another process took it meanwhile
        // (simulators of other suites on this machine share 127.x networks), as DHCP may hand out another.
        assertThat(get("http://" + Pve.address("pve1", 640) + ":39375/healthz")).isEqualTo("ok");
        String shutdown = Pve.upid(Pve.post("/nodes/pve1/lxc/640/status/shutdown", "timeout", 10, "forceStop", 1));
        assertThat(shutdown).contains(":vzshutdown:640:");
        assertThat(Pve.await("pve1", shutdown)).isEqualTo("OK");
        Pve.api().get("/nodes/pve1/lxc/640/status/current").then().body("data.status", equalTo("stopped"));
        Pve.post("/nodes/pve1/lxc/640/status/stop").then().statusCode(500).body("message", equalTo("CT 640 not running\n"));
        Pve.api().get("/nodes/pve1/lxc").then().statusCode(200)
                .body("data.vmid", hasItem(640))
                .body("data.find { it.vmid == 640 }.type", equalTo("lxc"))
                .body("data.find { it.vmid == 640 }.name", equalTo("cycle"));
    }

    @Test
    void mountPointsBecomeUnusedAndProtectionGuards() {
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc", "vmid", 650, "ostemplate", DEBIAN, "rootfs", "local-lvm:8",
                "mp0", "local-lvm:5,mp=/srv"));
        Pve.put("/nodes/pve1/lxc/650/config", "delete", "mp0").then().statusCode(200);
        Pve.api().get("/nodes/pve1/lxc/650/config").then().body("data.mp0", nullValue())
                .body("data.unused0", equalTo("local-lvm:vm-650-disk-1"));
        Pve.put("/nodes/pve1/lxc/650/config", "delete", "rootfs").then().statusCode(500)
                .body("message", equalTo("unable to delete required option 'rootfs'\n"));
        Pve.put("/nodes/pve1/lxc/650/config", "delete", "unprivileged").then().statusCode(500)
                .body("message", equalTo("unable to delete read-only option: 'unprivileged'\n"));
        Pve.put("/nodes/pve1/lxc/650/config", "delete", "unused0", "force", 1).then().statusCode(400)
                .body("errors.force", startsWith("property is not defined in schema"));
        Pve.put("/nodes/pve1/lxc/650/config", "hostname", "a", "delete", "hostname").then().statusCode(400)
                .body("errors.delete", equalTo("you can't use '-hostname' and -delete hostname' at the same time\n"));
        Pve.put("/nodes/pve1/lxc/650/config", "protection", 1).then().statusCode(200);
        Pve.put("/nodes/pve1/lxc/650/config", "delete", "unused0").then().statusCode(500)
                .body("message", equalTo("can't remove CT 650 drive 'unused0'\n"));
        Pve.delete("/nodes/pve1/lxc/650").then().statusCode(500)
                .body("message", equalTo("can't remove CT 650 - protection mode enabled\n"));
        Pve.put("/nodes/pve1/lxc/650/config", "delete", "protection").then().statusCode(200);
        Pve.put("/nodes/pve1/lxc/650/config", "delete", "unused0").then().statusCode(200);
        Pve.api().get("/nodes/pve1/lxc/650/config").then().body("data.unused0", nullValue());
        Pve.awaitOk("pve1", Pve.delete("/nodes/pve1/lxc/650"));
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String exec(String ip, String command) throws Exception {
        String body = "{\"command\":\"" + command.replace("\"", "\\\"") + "\",\"timeout_ms\":10000}";
        String out = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":39375/exec"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(out).endsWith("{\"type\":\"exit\",\"code\":0}\n");
        return out;
    }
}
