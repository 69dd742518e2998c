package io.sandplane.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A task that ends OK has done what it says: the state it promises is observable the moment a
 * client sees the task stopped, never a little later. Each check repeats the operation many times
 * with zero latency and looks without any patience right after the task's end, which is where an
 * ordering race between the task engine and the guest's listeners shows.
 */
@QuarkusTest
class TaskEffectsTest {

    private static final int ROUNDS = 20;
    private static final int[] ALL_PORTS = {39375, 39377, 39378, 39380, 39383, 5173};

    @BeforeEach
    void reset() {
        Pve.reset();
        Pve.zeroLatencies();
    }

    @Test
    void aRebootedContainerAnswersOnEveryPortWhenItsTaskEnds() {
        Pve.cloneAndWait("pve1", 9001, 660, "reboots");
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/660/status/start"));
        for (int i = 0; i < ROUNDS; i++) {
            Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/660/status/reboot"));
            assertAnswers(Pve.address("pve1", 660), "after reboot " + i);
        }
    }

    @Test
    void aContainerAnswersWhenStartOrResumeEndsAndRefusesWhenStopOrSuspendEnds() {
        Pve.cloneAndWait("pve2", 9003, 661, "cycles");
        for (int i = 0; i < ROUNDS / 2; i++) {
            Pve.awaitOk("pve2", Pve.post("/nodes/pve2/lxc/661/status/start"));
            String address = Pve.address("pve2", 661);
            assertAnswers(address, "after start " + i);
            Pve.awaitOk("pve2", Pve.post("/nodes/pve2/lxc/661/status/suspend"));
            assertRefuses(address, "after suspend " + i);
            Pve.awaitOk("pve2", Pve.post("/nodes/pve2/lxc/661/status/resume"));
            assertAnswers(Pve.address("pve2", 661), "after resume " + i);
            Pve.awaitOk("pve2", Pve.post(i % 2 == 0 ? "/nodes/pve2/lxc/661/status/stop" : "/nodes/pve2/lxc/661/status/shutdown"));
            assertRefuses(address, "after stop/shutdown " + i);
        }
    }

    @Test
    void aVmAnswersWhenResetOrResumeFromDiskEnds() {
        Pve.createVm("pve1", 760);
        for (int i = 0; i < ROUNDS / 2; i++) {
            Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/760/status/start"));
            assertAnswers(vmAddress(760), "after start " + i);
            Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/760/status/reset"));
            assertAnswers(vmAddress(760), "after reset " + i);
            Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/760/status/reboot"));
            assertAnswers(vmAddress(760), "after reboot " + i);
            String address = vmAddress(760);
            Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/760/status/suspend", "todisk", 1));
            assertRefuses(address, "after suspend to disk " + i);
            Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/760/status/resume"));
            assertAnswers(vmAddress(760), "after resume from disk " + i);
            Pve.awaitOk("pve1", Pve.post("/nodes/pve1/qemu/760/status/stop"));
            assertRefuses(address, "after stop " + i);
        }
    }

    @Test
    void aRollbackWithStartAnswersAndADestroyedGuestIsGoneWhenTheirTasksEnd() {
        for (int i = 0; i < ROUNDS / 4; i++) {
            int vmid = 670 + i;
            Pve.cloneAndWait("pve1", 9001, vmid, "short-lived");
            Pve.api().get("/nodes/pve1/lxc/" + vmid + "/config").then().statusCode(200).body("data.lock", equalTo(null));
            Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/" + vmid + "/snapshot", "snapname", "snap"));
            Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/" + vmid + "/snapshot/snap/rollback", "start", 1));
            String address = Pve.address("pve1", vmid);
            assertAnswers(address, "after rollback with start " + i);
            Pve.awaitOk("pve1", Pve.delete("/nodes/pve1/lxc/" + vmid, "force", 1));
            assertRefuses(address, "after destroy " + i);
            Pve.api().get("/nodes/pve1/lxc/" + vmid + "/config").then().statusCode(500);
        }
    }

    @Test
    void aStopIssuedWhileTheStartStillBindsEndsWithThePortsClosed() {
        Pve.cloneAndWait("pve1", 9001, 662, "start-stop");
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/662/status/start"));
        String address = Pve.address("pve1", 662);
        Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/662/status/stop"));
        for (int i = 0; i < ROUNDS; i++) {
            // not waited for: the stop runs while the start's listeners may still be binding
            String start = Pve.upid(Pve.post("/nodes/pve1/lxc/662/status/start"));
            Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/662/status/stop"));
            assertThat(Pve.await("pve1", start)).isEqualTo("OK");
            assertRefuses(address, "after a stop that overtook a start " + i);
        }
    }

    @Test
    void aDroppedGuestAndAResetClusterRefuseWhenTheCallReturns() {
        for (int i = 0; i < ROUNDS / 4; i++) {
            Pve.cloneAndWait("pve1", 9001, 663, "dropped");
            Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/663/status/start"));
            String address = Pve.address("pve1", 663);
            io.restassured.RestAssured.given().delete("/_sim/guests/663").then().statusCode(204);
            assertRefuses(address, "after the guest was dropped " + i);

            Pve.cloneAndWait("pve1", 9001, 663, "reset");
            Pve.awaitOk("pve1", Pve.post("/nodes/pve1/lxc/663/status/start"));
            address = Pve.address("pve1", 663);
            Pve.reset();
            Pve.zeroLatencies();
            assertRefuses(address, "after a reset " + i);
        }
    }

    private static String vmAddress(int vmid) {
        return Pve.api().get("/nodes/pve1/qemu/" + vmid + "/agent/network-get-interfaces").then().statusCode(200)
                .extract().path("data.result.find { it.name == 'eth0' }.ip-addresses[0].ip-address");
    }

    /** Every port of the guest takes a connection and answers a request, at the first attempt. */
    private static void assertAnswers(String address, String when) {
        List<String> failures = new ArrayList<>();
        for (int port : ALL_PORTS) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), 2000);
                socket.setSoTimeout(Probe.PATIENCE_MS);
                OutputStream out = socket.getOutputStream();
                out.write(("GET /healthz HTTP/1.1\r\nHost: " + address + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
                if (!head.startsWith("HTTP/1.1 200")) {
                    failures.add(port + ": " + head);
                }
            } catch (IOException e) {
                failures.add(port + ": " + e);
            }
        }
        assertThat(failures).as("ports of %s %s", address, when).isEmpty();
    }

    /** Every port of the guest refuses a connection, at the first attempt. */
    private static void assertRefuses(String address, String when) {
        List<String> accepted = new ArrayList<>();
        for (int port : ALL_PORTS) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), 2000);
                accepted.add(Integer.toString(port));
            } catch (ConnectException e) {
                // refused: nothing listens
            } catch (IOException e) {
                accepted.add(port + ": " + e);
            }
        }
        assertThat(accepted).as("ports of %s still taking connections %s", address, when).isEmpty();
    }
}
