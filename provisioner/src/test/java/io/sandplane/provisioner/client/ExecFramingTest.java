package io.sandplane.provisioner.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandplane.model.api.ExecResult;
import io.sandplane.model.problem.ProblemException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exec wrapper run by the shells execd uses (bash under cmux-execd, sh under the simulator and upstream),
 * and the reading of execd's events. The round trip through a real execd is in it/LifecycleTest.
 */
class ExecFramingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the wrapper wrote on each stream, line by line, and its exit status. */
    record Run(List<String> stdout, List<String> stderr, int exit, Duration took) {
        byte[] decoded(List<String> lines) {
            ExecFraming.Decoded d = new ExecFraming.Decoded(Integer.MAX_VALUE);
            lines.stream().filter(l -> ExecFraming.trailer(l) == null).forEach(d::append);
            assertThat(d.cut()).isFalse();
            return d.bytes();
        }

        Integer trailer() {
            return stdout.isEmpty() ? null : ExecFraming.trailer(stdout.getLast());
        }
    }

    private static Run run(String shell, String command, long timeoutMs) throws Exception {
        long started = System.nanoTime();
        Process p = new ProcessBuilder(shell, "-c", ExecFraming.wrap(command, timeoutMs)).start();
        p.getOutputStream().close();
        CompletableFuture<List<String>> out = CompletableFuture.supplyAsync(() -> lines(p.getInputStream()));
        CompletableFuture<List<String>> err = CompletableFuture.supplyAsync(() -> lines(p.getErrorStream()));
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the wrapper ends").isTrue();
        return new Run(out.get(30, TimeUnit.SECONDS), err.get(30, TimeUnit.SECONDS), p.exitValue(),
                Duration.ofNanos(System.nanoTime() - started));
    }

    private static List<String> lines(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).lines().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "/bin/sh", "/bin/bash" })
    void everyByteOfBothStreamsComesBackInLinesExecdKeeps(String shell) throws Exception {
        Run r = run(shell, "printf 'a\\r\\n\\n\\nb\\r\\r\\n\\377\\342\\202A'; printf '\\n\\nerr\\r\\n' >&2; exit 3", 10_000);
        assertThat(r.decoded(r.stdout())).isEqualTo(bytes(0x61, '\r', '\n', '\n', '\n', 'b', '\r', '\r', '\n', 0xff, 0xe2, 0x82, 'A'));
        assertThat(new String(r.decoded(r.stderr()), StandardCharsets.UTF_8)).isEqualTo("\n\nerr\r\n");
        assertThat(r.trailer()).isEqualTo(3);
        assertThat(r.exit()).isEqualTo(3);
        // what execd's framing would cut or skip never occurs: no empty line, no CR, no line near 1 MiB
        assertThat(r.stdout()).allSatisfy(l -> assertThat(l).isNotEmpty().doesNotContain("\r").hasSizeLessThan(100));
        assertThat(r.stderr()).allSatisfy(l -> assertThat(l).matches("[A-Za-z0-9+/=]+"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "/bin/sh", "/bin/bash" })
    void theCommandRunsAsWrittenInTheSameShell(String shell) throws Exception {
        // quotes, a trailing newline, exit inside, a variable, and no stdin
        Run r = run(shell, "x='it'\"'\"'s'; echo \"$x\"; cat; echo \"$0\" >&2\n\n", 10_000);
        assertThat(new String(r.decoded(r.stdout()), StandardCharsets.UTF_8)).isEqualTo("it's\n");
        assertThat(new String(r.decoded(r.stderr()), StandardCharsets.UTF_8)).isEqualTo(shell + "\n");
        assertThat(r.trailer()).isZero();
        Run exited = run(shell, "echo before; exit 7; echo after", 10_000);
        assertThat(new String(exited.decoded(exited.stdout()), StandardCharsets.UTF_8)).isEqualTo("before\n");
        assertThat(exited.trailer()).isEqualTo(7);
        Run empty = run(shell, "true", 10_000);
        assertThat(empty.stdout()).containsExactly("~0");
        assertThat(empty.stderr()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "/bin/sh", "/bin/bash" })
    void theTimeoutStopsTheCommandAndAllItStartedAndKeepsItsOutput(String shell) throws Exception {
        Run r = run(shell, "echo started; (sleep 30; echo never) & sleep 30", 300);
        assertThat(r.took()).isLessThan(Duration.ofSeconds(10));
        assertThat(new String(r.decoded(r.stdout()), StandardCharsets.UTF_8)).isEqualTo("started\n");
        assertThat(r.trailer()).isEqualTo(124);
        // a command that ignores TERM is killed after the grace
        Run stubborn = run(shell, "trap '' TERM; echo stubborn; sleep 30", 300);
        assertThat(stubborn.took()).isBetween(Duration.ofMillis(ExecFraming.KILL_AFTER_MS), Duration.ofSeconds(10));
        assertThat(new String(stubborn.decoded(stubborn.stdout()), StandardCharsets.UTF_8)).isEqualTo("stubborn\n");
        assertThat(stubborn.trailer()).isEqualTo(137);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    // Reading execd's events

    private static String event(String type, String key, Object value) throws IOException {
        return JSON.writeValueAsString(java.util.Map.of("type", type, key, value));
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static ExecResult collect(long timeoutMs, long ranMs, String... events) {
        return ExecdClient.collect(List.of(events).iterator(), JSON, 64, timeoutMs,
                System.nanoTime() - Duration.ofMillis(ranMs).toNanos());
    }

    @Test
    void aCompleteAnswerIsExactAndNotTruncated() throws Exception {
        ExecResult r = collect(1000, 10, event("stdout", "data", b64("one\n\ntwo\r\n")), event("stderr", "data", b64("e")),
                event("stdout", "data", "~0"), event("exit", "code", 0));
        assertThat(r.stdout()).isEqualTo("one\n\ntwo\r\n");
        assertThat(r.stderr()).isEqualTo("e");
        assertThat(r.stdoutBase64()).isNull();
        assertThat(r.truncated()).isFalse();
        assertThat(r.timedOut()).isFalse();
    }

    @Test
    void outputThatIsNotUtf8ComesAsBase64Too() throws Exception {
        byte[] raw = bytes('o', 'k', 0xff, 0xe2, 0x82, 'A');
        ExecResult r = collect(1000, 10, event("stdout", "data", Base64.getEncoder().encodeToString(raw)),
                event("stdout", "data", "~0"), event("exit", "code", 0));
        assertThat(Base64.getDecoder().decode(r.stdoutBase64())).isEqualTo(raw);
        assertThat(r.stdout()).startsWith("ok\uFFFD");
        assertThat(r.stderrBase64()).isNull();
    }

    @Test
    void anythingThatMayHaveLostOutputMarksItTruncated() throws Exception {
        String exit0 = event("exit", "code", 0);
        String trailer = event("stdout", "data", "~0");
        // over the provisioner's limit (64 bytes here), on either stream; a character split by the cut is dropped
        ExecResult over = collect(1000, 10, event("stderr", "data", b64("x" + "é".repeat(40))), trailer, exit0);
        assertThat(over.truncated()).isTrue();
        assertThat(over.stderr()).isEqualTo("x" + "é".repeat(31));
        assertThat(over.stderrBase64()).isNull();
        // execd's own limit, or a pipe it stopped reading
        assertThat(collect(1000, 10, event("stdout", "data", b64("x")), event("error", "message", "output truncated after 4194304 bytes"),
                trailer, exit0).truncated()).isTrue();
        assertThat(collect(1000, 10, event("error", "message", "stdout read failed: bufio.Scanner: token too long"),
                trailer, exit0).truncated()).isTrue();
        // no trailer: the stream ended before the wrapper did
        assertThat(collect(1000, 10, event("stdout", "data", b64("x")), exit0).truncated()).isTrue();
        // a stream cut inside a base64 quantum
        assertThat(collect(1000, 10, event("stdout", "data", b64("xyz").substring(0, 3)), trailer, exit0).truncated()).isTrue();
    }

    @Test
    void aTimeoutIsTheWrappersOrExecdsAndNotACommandsOwnExit124() throws Exception {
        ExecResult wrapper = collect(300, 310, event("stdout", "data", "~124"), event("exit", "code", 124));
        assertThat(wrapper.timedOut()).isTrue();
        assertThat(wrapper.exitCode()).isEqualTo(124);
        assertThat(wrapper.truncated()).isFalse();
        ExecResult killed = collect(300, 2400, event("stdout", "data", "~137"), event("exit", "code", 137));
        assertThat(killed.timedOut()).isTrue();
        assertThat(killed.exitCode()).isEqualTo(124);
        ExecResult own = collect(5000, 20, event("stdout", "data", "~124"), event("exit", "code", 124));
        assertThat(own.timedOut()).isFalse();
        assertThat(own.exitCode()).isEqualTo(124);
        ExecResult execd = collect(300, 3400, event("error", "message", "timeout after 3300ms"), event("exit", "code", 124));
        assertThat(execd.timedOut()).isTrue();
        assertThat(execd.truncated()).as("the wrapper was killed before its trailer").isTrue();
    }

    @Test
    void outputTheWrapperDidNotEncodeIsA502NamingWhatCame() throws Exception {
        assertThatThrownBy(() -> collect(1000, 10, event("stderr", "data", "sh: 1: base64: not found"),
                event("exit", "code", 127)))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.status()).isEqualTo(502))
                .hasMessageContaining("base64: not found");
    }
}
