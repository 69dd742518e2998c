package io.sandplane.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
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
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The QEMU subset: clones of templates, power, suspend to disk, the guest agent, config updates, delete. */
@QuarkusTest
class QemuTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void reset() {
        Pve.reset();
        Pve.zeroLatencies();
    }

    @Test
    void parallelLinkedClonesOfAStoppedTemplateAreAllowed() {
        Pve.createVm("pve1", 700);
        String template = Pve.upid(Pve.post("/nodes/pve1/qemu/700/template"));
        assertThat(template).contains(":qmtemplate:700:");
        assertThat(Pve.await("pve1", template)).isEqualTo("OK");
        Pve.api().get("/nodes/pve1/qemu/700/config").then().statusCode(200)
                .body("data.template", equalTo(1))
                .body("data.scsi0", startsWith("local-lvm:base-700-disk-0,"));
        String templateMac = Pve.api().get("/nodes/pve1/qemu/700/config").then().extract().path("data.net0");

        Pve.latencies(Map.of("clone", 1500L));
        List<CompletableFuture<Response>> clones = List.of(701, 702, 703).stream()
                .map(id -> CompletableFuture.supplyAsync(() -> Pve.post("/nodes/pve1/qemu/700/clone", "newid", id))).toList();
        List<Response> answers = clones.stream().map(CompletableFuture::join).toList();
        // unlike LXC (lock disk on the source), QEMU takes a shared lock on a stopped source
        assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        Pve.api().get("/nodes/pve1/qemu/700/status/current").then().body("data.lock", nullValue());
        Pve.api().get("/nodes/pve1/qemu/701/config").then().body("data.lock", equalTo("clone"))
                .body("data.name", equalTo("Copy-of-VM-vm-700"));
        // the half-made clone can't be started while its clone lock holds
        assertThat(Pve.await("pve1", Pve.upid(Pve.post("/nodes/pve1/qemu/701/status/start")))).isEqualTo("VM is locked (clone)");
        for (Response r : answers) {
            assertThat(Pve.await("pve1", r.path("data"))).isEqualTo("OK");
        }
        for (int id : List.of(701, 702, 703)) {
            Pve.api().get("/nodes/pve1/qemu/" + id + "/config").then().statusCode(200)
                    .body("data.lock", nullValue())
                    .body("data.template", nullValue())
                    .body("data.scsi0", startsWith("local-lvm:base-700-disk-0/vm-" + id + "-disk-0,"))
                    .body("data.net0", startsWith("virtio="))
                    .body("data.net0", not(equalTo(templateMac)));
        }
        // a clone onto an existing VM's id on the same node finds its config file
        Pve.post("/nodes/pve1/qemu/700/clone", "newid", 701).then().statusCode(500)
                .body("message", equalTo("unable to create VM 701: config file already exists\n"));
        Pve.post("/nodes/pve1/qemu/700/clone", "newid", 9001).then().statusCode(500)
                .body("message", equalTo("CT 9001 already exists on node 'pve1'\n"));
        // QEMU's per-VM flock timing out
        Pve.fault("{\"method\":\"POST\",\"path\":\"/nodes/pve1/qemu/701/status/start\",\"kind\":\"timeout\",\"count\":1}");
        Pve.post("/nodes/pve1/qemu/701/status/start").then().statusCode(500)
                .body("message", equalTo("can't lock file '/var/lock/qemu-server/lock-701.conf' - got timeout\n"));
        // a full clone copies the disk instead
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/700/clone", "newid", 704, "full", 1, "name", "full-copy"));
        Pve.api().get("/nodes/pve1/qemu/704/config").then().body("data.scsi0", startsWith("local-lvm:vm-704-disk-0,"))
                .body("data.name", equalTo("full-copy"));
    }

    @Test
    void suspendToDiskStopsTheVmAndResumeOrStartBringsItBack() throws Exception {
        Pve.createVm("pve2", 710, "start", 1);
        String ip = agentAddress("pve2", 710);
        Pve.latencies(Map.of("suspend", 1500L));
        String suspend = Pve.upid(Pve.post("/nodes/pve2/qemu/710/status/suspend", "todisk", 1));
        assertThat(suspend).contains(":qmsuspend:710:");
        // the lock is taken synchronously, before the task runs
        Pve.api().get("/nodes/pve2/qemu/710/config").then().body("data.lock", equalTo("suspending"));
        assertThat(Pve.await("pve2", suspend)).isEqualTo("OK");
        Pve.api().get("/nodes/pve2/qemu/710/status/current").then()
                .body("data.status", equalTo("stopped"))
                .body("data.qmpstatus", equalTo("stopped"))
                .body("data.lock", equalTo("suspended"));
        Pve.api().get("/nodes/pve2/qemu/710/config").then().body("data.vmstate", startsWith("local-lvm:vm-710-state-suspend-"));
        assertThatThrownBy(() -> echo(ip, 39377)).isInstanceOf(IOException.class);

        Pve.awaitOk("pve2", Pve.post("/nodes/pve2/qemu/710/status/resume"));
        Pve.api().get("/nodes/pve2/qemu/710/status/current").then()
                .body("data.status", equalTo("running")).body("data.qmpstatus", equalTo("running"))
                .body("data.lock", nullValue());
        Pve.api().get("/nodes/pve2/qemu/710/config").then().body("data.vmstate", nullValue());
        assertThat(agentAddress("pve2", 710)).isEqualTo(ip);
        assertThat(echo(ip, 39377)).contains("\"vmid\":710");

        // suspended again, a plain start resumes it as well
        Pve.awaitOk("pve2", Pve.post("/nodes/pve2/qemu/710/status/suspend", "todisk", 1));
        Pve.api().get("/nodes/pve2/qemu/710/status/current").then().body("data.lock", equalTo("suspended"));
        Pve.awaitOk("pve2", Pve.post("/nodes/pve2/qemu/710/status/start"));
        Pve.api().get("/nodes/pve2/qemu/710/status/current").then().body("data.status", equalTo("running"))
                .body("data.lock", nullValue());
        Pve.api().get("/nodes/pve2/qemu/710/config").then().body("data.vmstate", nullValue());
        assertThat(echo(ip, 39380)).contains("\"vmid\":710", "\"port\":39380");

        // statestorage only goes with todisk (PVE's "requires")
        Pve.post("/nodes/pve2/qemu/710/status/suspend", "statestorage", "local-lvm").then().statusCode(400)
                .body("errors.todisk", equalTo("missing property - 'statestorage' requires this property\n"));
    }

    @Test
    void pauseKeepsItRunningAndBlocksShutdown() {
        Pve.createVm("pve1", 715, "start", 1);
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/715/status/suspend"));
        Pve.api().get("/nodes/pve1/qemu/715/status/current").then()
                .body("data.status", equalTo("running")).body("data.qmpstatus", equalTo("paused"));
        Pve.post("/nodes/pve1/qemu/715/status/shutdown").then().statusCode(500)
                .body("message", equalTo("VM is paused - cannot shutdown\n"));
        Pve.api().get("/nodes/pve1/qemu/715/agent/network-get-interfaces").then().statusCode(500)
                .body("message", equalTo("QEMU guest agent is not running\n"));
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/715/status/resume"));
        Pve.api().get("/nodes/pve1/qemu/715/status/current").then().body("data.qmpstatus", equalTo("running"));
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/715/status/reboot"));
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/715/status/reset"));
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/715/status/shutdown"));
        Pve.api().get("/nodes/pve1/qemu/715/status/current").then().body("data.status", equalTo("stopped"));
        for (String action : List.of("shutdown", "reboot", "reset", "suspend", "resume")) {
            Pve.post("/nodes/pve1/qemu/715/status/" + action).then().statusCode(500)
                    .body("message", equalTo("VM 715 not running\n"));
        }
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/715/status/start"));
        // QEMU finds out inside the task that it already runs
        assertThat(Pve.await("pve1", Pve.upid(Pve.post("/nodes/pve1/qemu/715/status/start")))).isEqualTo("VM 715 already running");
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/715/status/stop"));
    }

    @Test
    void deletingARunningVmFailsAndThereIsNoForce() {
        Pve.createVm("pve3", 720, "start", 1);
        Pve.delete("/nodes/pve3/qemu/720").then().statusCode(500)
                .body("message", equalTo("VM 720 is running - destroy failed\n"));
        Response force = Pve.delete("/nodes/pve3/qemu/720", "force", 1);
        force.then().statusCode(400)
                .body("errors.force", startsWith("property is not defined in schema and the schema does not allow additional properties"));
        Pve.api().get("/nodes/pve3/qemu/720/status/current").then().body("data.status", equalTo("running"));
        // skiplock is for root@pam with a ticket only, never for an API token
        Pve.delete("/nodes/pve3/qemu/720", "skiplock", 1).then().statusCode(400)
                .body("errors.skiplock", equalTo("Only root may use this option.\n"));
        Pve.awaitOk("pve3", Pve.post("/nodes/pve3/qemu/720/status/stop"));
        String destroy = Pve.upid(Pve.delete("/nodes/pve3/qemu/720", "purge", 1));
        assertThat(destroy).contains(":qmdestroy:720:");
        assertThat(Pve.await("pve3", destroy)).isEqualTo("OK");
        Pve.api().get("/nodes/pve3/qemu/720/config").then().statusCode(500)
                .body("message", equalTo("Configuration file 'nodes/pve3/qemu-server/720.conf' does not exist\n"));
    }

    @Test
    void theAgentAnswersOnlyWhileTheVmRuns() throws Exception {
        Pve.createVm("pve1", 730);
        Pve.api().get("/nodes/pve1/qemu/730/agent/network-get-interfaces").then().statusCode(500)
                .body("message", equalTo("VM 730 is not running\n"));
        Pve.post("/nodes/pve1/qemu/730/agent/ping").then().statusCode(500).body("message", equalTo("VM 730 is not running\n"));
        Pve.createVm("pve1", 731, "agent", "0", "start", 1);
        Pve.api().get("/nodes/pve1/qemu/731/agent/network-get-interfaces").then().statusCode(500)
                .body("message", equalTo("No QEMU guest agent configured\n"));

        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/730/status/start"));
        Pve.post("/nodes/pve1/qemu/730/agent/ping").then().statusCode(200).body("data.result", equalTo(Map.of()));
        Response interfaces = Pve.api().get("/nodes/pve1/qemu/730/agent/network-get-interfaces");
        interfaces.then().statusCode(200)
                .body("data.result.name", equalTo(List.of("lo", "eth0")))
                .body("data.result[1].ip-addresses", hasSize(1))
                .body("data.result[1].ip-addresses[0].ip-address-type", equalTo("ipv4"))
                .body("data.result[1].statistics.rx-bytes", equalTo(0));
        String mac = Pve.api().get("/nodes/pve1/qemu/730/config").then().extract().path("data.net0");
        assertThat(mac.toLowerCase()).contains(interfaces.<String>path("data.result[1].hardware-address"));
        String ip = interfaces.path("data.result[1].ip-addresses[0].ip-address");
        assertThat(ip).startsWith("127.").isNotEqualTo("127.0.0.1");
        assertThat(echo(ip, 5173)).contains("\"vmid\":730", "\"port\":5173", "\"guestIp\":\"" + ip + "\"");

        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/730/status/stop"));
        Pve.api().get("/nodes/pve1/qemu/730/agent/network-get-interfaces").then().statusCode(500)
                .body("message", equalTo("VM 730 is not running\n"));
        assertThatThrownBy(() -> echo(ip, 5173)).isInstanceOf(IOException.class);
    }

    @Test
    void configForceRequiresDeleteAndDecidesWhetherADiskIsFreed() {
        Pve.createVm("pve1", 740, "scsi1", "local-lvm:10", "scsi2", "local-lvm:20");
        long before = lvmAvail();
        // force alone is refused by PVE's schema: it requires delete
        Pve.put("/nodes/pve1/qemu/740/config", "force", 1).then().statusCode(400)
                .body("message", equalTo("Parameter verification failed.\n"))
                .body("errors.delete", equalTo("missing property - 'force' requires this property\n"));
        Pve.put("/nodes/pve1/qemu/740/config", "force", 1, "memory", 4096).then().statusCode(400)
                .body("errors.delete", equalTo("missing property - 'force' requires this property\n"));
        Pve.api().get("/nodes/pve1/qemu/740/config").then().body("data.memory", equalTo("1024"));

        // without force a detached disk is kept as unused0 and still takes its space
        Pve.put("/nodes/pve1/qemu/740/config", "delete", "scsi1").then().statusCode(200).body("data", nullValue());
        Pve.api().get("/nodes/pve1/qemu/740/config").then()
                .body("data.scsi1", nullValue())
                .body("data.unused0", equalTo("local-lvm:vm-740-disk-1"));
        assertThat(lvmAvail()).isEqualTo(before);
        // with force it is freed at once
        Pve.put("/nodes/pve1/qemu/740/config", "delete", "scsi2", "force", 1).then().statusCode(200);
        Pve.api().get("/nodes/pve1/qemu/740/config").then().body("data.scsi2", nullValue()).body("data.unused1", nullValue());
        assertThat(before - lvmAvail()).isEqualTo(-20L * 1024 * 1024 * 1024);
        // removing the unused entry frees its volume
        Pve.put("/nodes/pve1/qemu/740/config", "delete", "unused0").then().statusCode(200);
        Pve.api().get("/nodes/pve1/qemu/740/config").then().body("data.unused0", nullValue());
        assertThat(before - lvmAvail()).isEqualTo(-30L * 1024 * 1024 * 1024);
        // a new disk is allocated under the lowest free number
        Pve.put("/nodes/pve1/qemu/740/config", "scsi1", "local-lvm:4").then().statusCode(200);
        Pve.api().get("/nodes/pve1/qemu/740/config").then().body("data.scsi1", equalTo("local-lvm:vm-740-disk-1,size=4G"));
    }

    @Test
    void configUpdateChecksLikePve() {
        Pve.createVm("pve2", 750);
        Pve.put("/nodes/pve2/qemu/750/config", "memory", 2048, "delete", "memory").then().statusCode(400)
                .body("errors.delete", equalTo("you can't use '-memory' and -delete memory' at the same time\n"));
        Pve.put("/nodes/pve2/qemu/750/config", "delete", "nosuchoption").then().statusCode(400)
                .body("errors.delete", equalTo("unknown option 'nosuchoption'\n"));
        Pve.put("/nodes/pve2/qemu/750/config", "revert", "cores", "cores", 2).then().statusCode(400)
                .body("errors.delete", equalTo("you can't use '-cores' and -revert cores' at the same time\n"));
        Pve.put("/nodes/pve2/qemu/750/config").then().statusCode(500).body("message", equalTo("no options specified\n"));
        Pve.put("/nodes/pve2/qemu/750/config", "name", "x", "skiplock", 1).then().statusCode(400)
                .body("errors.skiplock", equalTo("Only root may use this option.\n"));
        Pve.put("/nodes/pve2/qemu/750/config", "name", "x", "digest", "0123456789abcdef0123456789abcdef01234567").then()
                .statusCode(500).body("message", equalTo("checksum mismatch (file change by other user?)\n"));
        String digest = Pve.api().get("/nodes/pve2/qemu/750/config").then().extract().path("data.digest");
        Pve.put("/nodes/pve2/qemu/750/config", "name", "renamed", "tags", "Web;db", "net1", "e1000,bridge=vmbr1",
                "digest", digest).then().statusCode(200);
        Pve.api().get("/nodes/pve2/qemu/750/config").then()
                .body("data.name", equalTo("renamed"))
                .body("data.tags", equalTo("db;web"))
                .body("data.net1", org.hamcrest.Matchers.matchesPattern("e1000=BC:24:11:[0-9A-F:]{8},bridge=vmbr1"))
                .body("data.digest", not(equalTo(digest)));
        // deleting an option that is not set is only a warning in PVE
        Pve.put("/nodes/pve2/qemu/750/config", "delete", "description").then().statusCode(200);
    }

    @Test
    void asyncConfigRunsAQmconfigTask() {
        Pve.createVm("pve1", 760);
        Pve.latencies(Map.of("config", 300L));
        String upid = Pve.upid(Pve.post("/nodes/pve1/qemu/760/config", "cores", 3));
        assertThat(upid).contains(":qmconfig:760:");
        assertThat(Pve.await("pve1", upid)).isEqualTo("OK");
        assertThat(Pve.log("pve1", upid)).anySatisfy(l -> assertThat(l).startsWith("update VM 760: -cores '3'"));
        Pve.api().get("/nodes/pve1/qemu/760/config").then().body("data.cores", equalTo(3));
        // background_delay: PVE waits for the worker and answers null when it finished in time ...
        Pve.post("/nodes/pve1/qemu/760/config", "cores", 4, "background_delay", 5).then().statusCode(200).body("data", nullValue());
        Pve.api().get("/nodes/pve1/qemu/760/config").then().body("data.cores", equalTo(4));
        // ... and the UPID when it did not
        Pve.latencies(Map.of("config", 3000L));
        String slow = Pve.post("/nodes/pve1/qemu/760/config", "cores", 5, "background_delay", 1).then().statusCode(200)
                .extract().path("data");
        assertThat(slow).contains(":qmconfig:760:");
        assertThat(Pve.await("pve1", slow)).isEqualTo("OK");
        // the lock is checked in the worker: the task fails, the call does not
        Pve.latencies(Map.of("config", 0L, "clone", 2000L));
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/760/template"));
        Pve.upid(Pve.post("/nodes/pve1/qemu/760/clone", "newid", 761));
        assertThat(Pve.await("pve1", Pve.upid(Pve.post("/nodes/pve1/qemu/761/config", "cores", 2)))).isEqualTo("VM is locked (clone)");
        Pve.post("/nodes/pve1/qemu/760/config", "sockets", 1, "force", 1).then().statusCode(400)
                .body("errors.delete", containsString("'force' requires this property"));
    }

    private static long lvmAvail() {
        return Pve.api().get("/nodes/pve1/storage").then().extract().jsonPath()
                .getLong("data.find { it.storage == 'local-lvm' }.avail");
    }

    private static String agentAddress(String node, int vmid) {
        return Pve.api().get("/nodes/" + node + "/qemu/" + vmid + "/agent/network-get-interfaces").then().statusCode(200)
                .extract().path("data.result[1].ip-addresses[0].ip-address");
    }

    private static String echo(String ip, int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":" + port + "/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
