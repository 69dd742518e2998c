package io.sandplane.provisioner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.api.ExecResult;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.provisioner.support.Fixtures;
import io.sandplane.provisioner.support.InternalApi;
import io.sandplane.provisioner.support.Sim;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Stop, pause, resume, delete and exec on a running sandbox. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class LifecycleTest {

    @Inject
    Fixtures fixtures;

    @BeforeEach
    void freshSimulator() {
        Sim.fresh();
    }

    private SandboxState running() {
        SandboxState state = InternalApi.provision(fixtures.sandbox().insert());
        assertThat(state.status()).isEqualTo(SandboxStatus.RUNNING);
        return state;
    }

    @Test
    void execWritesAFileAndTheNextExecReadsIt() {
        SandboxState s = running();
        ExecResult write = InternalApi.exec(s.id(), "echo 'hello from sandplane' > note.txt && echo written", null);
        assertThat(write.exitCode()).isZero();
        assertThat(write.stdout()).isEqualTo("written\n");
        ExecResult read = InternalApi.exec(s.id(), "cat note.txt", 10_000L);
        assertThat(read.exitCode()).isZero();
        assertThat(read.stdout()).isEqualTo("hello from sandplane\n");
        assertThat(read.truncated()).isFalse();
        assertThat(read.timedOut()).isFalse();
    }

    @Test
    void execReportsExitCodeAndStderr() {
        SandboxState s = running();
        ExecResult r = InternalApi.exec(s.id(), "echo out; echo oops >&2; exit 3", null);
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("oops\n");
    }

    @Test
    void execStopsACommandAndAllItStartedAtItsTimeoutKeepingItsOutput() {
        SandboxState s = running();
        // execd kills only its shell at a deadline: the background job and the sleep would hold the output open
        long started = System.nanoTime();
        ExecResult r = InternalApi.exec(s.id(), "echo started; (sleep 30; echo never) & sleep 30", 400L);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(r.timedOut()).isTrue();
        assertThat(r.exitCode()).isEqualTo(124);
        assertThat(r.stdout()).isEqualTo("started\n");
        assertThat(r.truncated()).isFalse();
    }

    @Test
    void execReturnsTheOutputByteForByte() {
        SandboxState s = running();
        ExecResult r = InternalApi.exec(s.id(), "printf 'a\\r\\n\\n\\nb\\r\\r\\n'; printf 'ok\\377\\342\\202A' >&2", null);
        assertThat(r.stdout()).isEqualTo("a\r\n\n\nb\r\r\n");
        assertThat(r.stdoutBase64()).isNull();
        assertThat(Base64.getDecoder().decode(r.stderrBase64())).isEqualTo(new byte[] { 'o', 'k', (byte) 0xff, (byte) 0xe2,
                (byte) 0x82, 'A' });
        assertThat(r.stderr()).startsWith("ok\uFFFD").endsWith("A");
        assertThat(r.exitCode()).isZero();
        assertThat(r.truncated()).isFalse();
        assertThat(r.timedOut()).isFalse();
        // one line longer than execd reads (1 MiB) comes through too, up to the provisioner's limit
        ExecResult longLine = InternalApi.exec(s.id(), "head -c 1100000 /dev/zero | tr '\\0' z", null);
        assertThat(longLine.exitCode()).isZero();
        assertThat(longLine.stdout()).isEqualTo("z".repeat(4096));
        assertThat(longLine.truncated()).isTrue();
        assertThat(longLine.timedOut()).isFalse();
    }

    @Test
    void execCapsOutputAndSaysSo() {
        SandboxState s = running();
        // The test profile keeps 4096 bytes per stream.
        ExecResult r = InternalApi.exec(s.id(), "seq 1 5000", null);
        assertThat(r.exitCode()).isZero();
        assertThat(r.truncated()).isTrue();
        assertThat(r.stdout()).startsWith("1\n2\n3\n").hasSize(4096);
        assertThat(r.stderr()).isEmpty();
        // on either stream
        ExecResult err = InternalApi.exec(s.id(), "seq 1 5000 >&2", null);
        assertThat(err.truncated()).isTrue();
        assertThat(err.stderr()).startsWith("1\n2\n").hasSize(4096);
        assertThat(err.stdout()).isEmpty();
    }

    @Test
    void stopShutsTheGuestDownAndIsIdempotent() {
        SandboxState s = running();
        assertThat(InternalApi.stop(s.id()).status()).isEqualTo(SandboxStatus.STOPPED);
        assertThat(Sim.control().guest(s.vmid()).orElseThrow().running()).isFalse();
        assertThat(Sim.control().calls("POST", ".*/lxc/" + s.vmid() + "/status/shutdown")).hasSize(1);
        Sim.control().clearCalls();
        assertThat(InternalApi.stop(s.id()).status()).isEqualTo(SandboxStatus.STOPPED);
        assertThat(Sim.control().calls("POST", ".*/lxc/" + s.vmid() + "/status/.*")).isEmpty();
        InternalApi.request().body("{\"command\": \"true\"}").post("/internal/sandboxes/{id}/exec", s.id())
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("resume it first"));
    }

    @Test
    void aGuestThatIgnoresShutdownIsStoppedHard() {
        SandboxState s = running();
        Sim.control().addFault(io.sandplane.devsupport.simulator.Fault.taskFailure("POST",
                ".*/lxc/" + s.vmid() + "/status/shutdown", "container did not shut down within timeout"));
        assertThat(InternalApi.stop(s.id()).status()).isEqualTo(SandboxStatus.STOPPED);
        assertThat(Sim.control().calls("POST", ".*/lxc/" + s.vmid() + "/status/stop")).hasSize(1);
        assertThat(Sim.control().guest(s.vmid()).orElseThrow().running()).isFalse();
    }

    @Test
    void pauseIsAStopOnLxcAndResumeBringsItBack() {
        SandboxState s = running();
        assertThat(InternalApi.pause(s.id()).status()).isEqualTo(SandboxStatus.PAUSED);
        assertThat(Sim.control().guest(s.vmid()).orElseThrow().running()).isFalse();
        assertThat(fixtures.events(s.id())).anySatisfy(e -> {
            assertThat(e.toStatus).isEqualTo(SandboxStatus.PAUSED);
            assertThat(e.detail).contains("keeps no memory state");
        });
        SandboxState resumed = InternalApi.resume(s.id());
        assertThat(resumed.status()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(resumed.ip()).isEqualTo(Sim.control().guest(s.vmid()).orElseThrow().address());
        assertThat(fixtures.row(s.id()).lastActivityAt).isNotNull();
        assertThat(InternalApi.exec(s.id(), "echo back", null).stdout()).isEqualTo("back\n");
    }

    @Test
    void aResumeGivesAtLeastOneWholeTtlFromNow() {
        SandboxState s = running();
        Instant expired = Instant.now().minusSeconds(60);
        fixtures.update(s.id(), row -> row.expiresAt = expired);
        InternalApi.pause(s.id());

        Instant before = Instant.now();
        assertThat(InternalApi.resume(s.id()).status()).isEqualTo(SandboxStatus.RUNNING);

        var row = fixtures.row(s.id());
        assertThat(row.expiresAt).isAfterOrEqualTo(before.plusSeconds(row.ttlSeconds));
        assertThat(fixtures.events(s.id())).anySatisfy(e -> assertThat(e.detail).startsWith("resumed; expires at "));

        // A deadline further away than one TTL is kept.
        Instant far = Instant.now().plusSeconds(row.ttlSeconds * 10L).truncatedTo(ChronoUnit.MICROS);
        fixtures.update(s.id(), r -> r.expiresAt = far);
        InternalApi.pause(s.id());
        InternalApi.resume(s.id());
        assertThat(fixtures.row(s.id()).expiresAt).isEqualTo(far);
    }

    @Test
    void manyConcurrentResumesStartTheGuestOnce() {
        SandboxState s = running();
        InternalApi.stop(s.id());
        Sim.control().clearCalls();
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<CompletableFuture<SandboxState>> calls = IntStream.range(0, 12)
                    .mapToObj(i -> CompletableFuture.supplyAsync(() -> InternalApi.resume(s.id()), pool)).toList();
            assertThat(calls.stream().map(CompletableFuture::join))
                    .allSatisfy(r -> assertThat(r.status()).isEqualTo(SandboxStatus.RUNNING));
        } finally {
            pool.shutdownNow();
        }
        assertThat(Sim.control().calls("POST", ".*/lxc/" + s.vmid() + "/status/start")).hasSize(1);
        assertThat(fixtures.events(s.id())).filteredOn(e -> e.toStatus == SandboxStatus.RUNNING).hasSize(2);
    }

    @Test
    void deleteDestroysTheGuestAndReleasesTheVmid() {
        SandboxState s = running();
        SandboxState deleted = InternalApi.delete(s.id());
        assertThat(deleted.status()).isEqualTo(SandboxStatus.DELETED);
        assertThat(Sim.control().guest(s.vmid())).isEmpty();
        assertThat(Sim.control().calls("DELETE", ".*/lxc/" + s.vmid())).singleElement()
                .satisfies(c -> assertThat(c.params()).containsEntry("purge", "1"));
        assertThat(fixtures.heldVmids(s.id())).isEmpty();
        assertThat(fixtures.services(s.id())).isEmpty();
        assertThat(fixtures.events(s.id())).filteredOn(e -> e.type == SandboxEvent.Type.STATUS).extracting(e -> e.toStatus)
                .containsExactly(SandboxStatus.RUNNING, SandboxStatus.DELETING, SandboxStatus.DELETED);
        // Again: nothing to do, same answer.
        assertThat(InternalApi.delete(s.id()).status()).isEqualTo(SandboxStatus.DELETED);
    }

    @Test
    void deletingAGuestThatVanishedSucceeds() {
        SandboxState s = running();
        Sim.control().removeGuest(s.vmid());
        assertThat(InternalApi.delete(s.id()).status()).isEqualTo(SandboxStatus.DELETED);
        assertThat(fixtures.heldVmids(s.id())).isEmpty();
    }

    @Test
    void stoppingAGuestThatVanishedMarksTheSandboxLost() {
        SandboxState s = running();
        Sim.control().removeGuest(s.vmid());
        SandboxState lost = InternalApi.stop(s.id());
        assertThat(lost.status()).isEqualTo(SandboxStatus.LOST);
        assertThat(lost.error()).contains("no longer exists");
        assertThat(fixtures.heldVmids(s.id())).isEmpty();
        InternalApi.call("POST", "/internal/sandboxes/{id}/resume", s.id()).statusCode(409)
                .body("type", equalTo("urn:sandplane:problem:illegal-transition"));
    }
}
