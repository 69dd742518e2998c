package io.sandplane.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class LxcLifecycleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void reset() {
        Pve.reset();
    }

    @Test
    void cloneStartAnswerStopDelete() throws Exception {
        assertThat(Pve.cloneAndWait("pve1", 9001, 201, "sbx-201")).isEqualTo("OK");
        Pve.api().get("/nodes/pve1/lxc/201/config").then().statusCode(200)
                .body("data.hostname", equalTo("sbx-201"))
                .body("data.template", nullValue())
                .body("data.lock", nullValue())
                .body("data.rootfs", equalTo("local-lvm:base-9001-disk-0/vm-201-disk-0,size=32G"))
                .body("data.cores", equalTo(4));
        Pve.api().get("/nodes/pve1/lxc/201/interfaces").then().statusCode(200).body("data", nullValue());

        assertThat(Pve.startAndWait("pve1", 201)).isEqualTo("OK");
        Pve.api().get("/nodes/pve1/lxc/201/status/current").then().body("data.status", equalTo("running"))
                .body("data.ha.managed", equalTo(0));
        String ip = Pve.address("pve1", 201);
        assertThat(ip).startsWith("127.").isNotEqualTo("127.0.0.1");

        // execd really runs commands, in a working directory that persists between execs
        String first = exec(ip, "{\"command\":\"echo hello > note.txt; echo out; echo err >&2; exit 3\",\"timeout_ms\":5000}");
        assertThat(first).contains("{\"type\":\"stdout\",\"data\":\"out\"}", "{\"type\":\"stderr\",\"data\":\"err\"}")
                .endsWith("{\"type\":\"exit\",\"code\":3}\n");
        assertThat(exec(ip, "{\"command\":\"cat note.txt\"}")).contains("\"data\":\"hello\"").endsWith("\"code\":0}\n");
        Path workDir = Path.of(Pve.api().get("/nodes/pve1/lxc/201/config").then().extract().path("data.hostname") == null ? ""
                : execOut(ip, "pwd"));
        assertThat(Files.isRegularFile(workDir.resolve("note.txt"))).isTrue();

        // the web ports name the guest
        HttpResponse<String> echo = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":39378/some/path?q=1"))
                .header("X-Forwarded-Host", "example").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(echo.body()).contains("\"vmid\":201", "\"port\":39378", "\"guestIp\":\"" + ip + "\"",
                "\"path\":\"/some/path\"", "\"x-forwarded-host\":\"example\"");

        Pve.api().contentType("application/x-www-form-urlencoded").post("/nodes/pve1/lxc/201/status/start").then()
                .statusCode(500).body("message", equalTo("CT 201 already running\n"));
        Pve.api().delete("/nodes/pve1/lxc/201").then().statusCode(500)
                .body("message", equalTo("unable to destroy CT 201 - container is running\n"));

        assertThat(Pve.await("pve1", Pve.upid(Pve.post("/nodes/pve1/lxc/201/status/stop")))).isEqualTo("OK");
        assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":39375/healthz")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
        Pve.api().get("/nodes/pve1/lxc/201/interfaces").then().statusCode(200).body("data", nullValue());
        Pve.post("/nodes/pve1/lxc/201/status/shutdown").then().statusCode(500).body("message", equalTo("CT 201 not running\n"));
        Pve.post("/nodes/pve1/lxc/201/status/reboot").then().statusCode(500).body("message", equalTo("VM 201 not running\n"));

        assertThat(Pve.await("pve1", Pve.upid(Pve.api().queryParam("purge", 1).delete("/nodes/pve1/lxc/201")))).isEqualTo("OK");
        Pve.api().get("/nodes/pve1/lxc/201/config").then().statusCode(500)
                .body("message", equalTo("Configuration file 'nodes/pve1/lxc/201.conf' does not exist\n"));
        assertThat(Files.exists(workDir)).isFalse();
    }

    @Test
    void forceDeleteStopsARunningContainer() throws Exception {
        Pve.cloneAndWait("pve2", 9003, 202, "sbx-202");
        Pve.startAndWait("pve2", 202);
        String ip = Pve.address("pve2", 202);
        assertThat(Pve.await("pve2", Pve.upid(Pve.api().queryParam("force", 1).queryParam("purge", 1)
                .delete("/nodes/pve2/lxc/202")))).isEqualTo("OK");
        assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":39377/")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void execdContract() throws Exception {
        Pve.cloneAndWait("pve1", 9002, 203, "sbx-203");
        Pve.startAndWait("pve1", 203);
        String ip = Pve.address("pve1", 203);
        URI exec = URI.create("http://" + ip + ":39375/exec");
        assertThat(HTTP.send(HttpRequest.newBuilder(exec).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(415);
        assertThat(HTTP.send(HttpRequest.newBuilder(exec).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(405);
        assertThat(HTTP.send(HttpRequest.newBuilder(exec).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"  \"}")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(400);
        HttpResponse<String> ok = HTTP.send(HttpRequest.newBuilder(exec).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"sleep 2; echo late\",\"timeout_ms\":200}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/jsonlines");
        assertThat(ok.body()).contains("timeout after 200ms").endsWith("{\"type\":\"exit\",\"code\":124}\n")
                .doesNotContain("late");
        // output is bounded
        String big = exec(ip, "{\"command\":\"yes 0123456789 | head -c 8000000\"}");
        assertThat(big.length()).isLessThan(6_000_000);
        assertThat(big).contains("output truncated").endsWith("\"code\":0}\n");
        assertThat(exec(ip, "{\"command\":\"/nonexistent/tool\"}")).endsWith("\"code\":127}\n");
    }

    /**
     * Output is framed as cmux-execd frames it (bufio.Scanner lines, Go's JSON strings, CommandContext's kill), so
     * what the real execd loses is lost here too and a client is tested against the real framing.
     */
    @Test
    void execdFramesOutputAsCmuxExecdDoes() throws Exception {
        Pve.cloneAndWait("pve1", 9002, 206, "sbx-206");
        Pve.startAndWait("pve1", 206);
        String ip = Pve.address("pve1", 206);
        // each line without its trailing CRs, empty lines skipped, the last one also without a newline
        assertThat(output(events(ip, "printf 'one\\r\\n\\n\\ntwo\\r\\r\\nthree'", 5000), "stdout"))
                .containsExactly("one", "two", "three");
        // invalid UTF-8: one U+FFFD for every byte that does not decode (Go), not one per sequence (Java)
        assertThat(output(events(ip, "printf 'a\\377b\\342\\202A\\n'", 5000), "stdout"))
                .containsExactly("a\uFFFDb\uFFFD\uFFFDA");
        // a line of 1 MiB ends the reading of that stream with the Scanner's error; nothing after it is read
        List<JsonNode> longLine = events(ip, "head -c 1100000 /dev/zero | tr '\\0' a; echo; echo after >&2; echo after", 5000);
        assertThat(output(longLine, "stdout")).isEmpty();
        assertThat(output(longLine, "stderr")).containsExactly("after");
        assertThat(longLine).anySatisfy(e -> assertThat(e.path("message").asText())
                .isEqualTo("stdout read failed: bufio.Scanner: token too long"));
        assertThat(longLine.getLast().path("code").asInt()).isZero();
        // at its timeout only the shell is killed: a job it started keeps the exec open, and its output comes
        List<JsonNode> orphan = events(ip, "(sleep 1; echo orphan) & exec sleep 30", 300);
        assertThat(output(orphan, "stdout")).containsExactly("orphan");
        assertThat(orphan).anySatisfy(e -> assertThat(e.path("message").asText()).isEqualTo("timeout after 300ms"));
        assertThat(orphan.getLast().path("code").asInt()).isEqualTo(124);
    }

    private static List<JsonNode> events(String ip, String command, long timeoutMs) throws Exception {
        String body = JSON.writeValueAsString(java.util.Map.of("command", command, "timeout_ms", timeoutMs));
        List<JsonNode> events = new java.util.ArrayList<>();
        for (String line : exec(ip, body).split("\n")) {
            events.add(JSON.readTree(line));
        }
        return events;
    }

    private static List<String> output(List<JsonNode> events, String type) {
        return events.stream().filter(e -> e.path("type").asText().equals(type)).map(e -> e.path("data").asText()).toList();
    }

    @Test
    void execdTokenFromTheGuestEnv() throws Exception {
        Pve.cloneAndWait("pve1", 9011, 204, "sbx-204");
        Pve.api().contentType("application/x-www-form-urlencoded").formParam("env", "FOO=bar\0CMUX_EXECD_AUTH_TOKEN=s3cret")
                .put("/nodes/pve1/lxc/204/config").then().statusCode(200).body("data", nullValue());
        Pve.startAndWait("pve1", 204);
        String ip = Pve.address("pve1", 204);
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://" + ip + ":39375/exec"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"echo $FOO\"}"));
        assertThat(HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        HttpResponse<String> ok = HTTP.send(req.header("Authorization", "Bearer s3cret").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"data\":\"bar\"");
    }

    @Test
    void configPutNormalisesLikePve() {
        Pve.cloneAndWait("pve1", 9001, 205, "sbx-205");
        String digest = Pve.api().get("/nodes/pve1/lxc/205/config").then().extract().path("data.digest");
        Pve.api().contentType("application/x-www-form-urlencoded")
                .formParam("tags", "Sandplane,sbx_abc;Team-X sandplane").formParam("description", "line one\nline two")
                .formParam("digest", digest)
                .put("/nodes/pve1/lxc/205/config").then().statusCode(200).body("data", nullValue());
        Pve.api().get("/nodes/pve1/lxc/205/config").then()
                .body("data.tags", equalTo("sandplane;sbx_abc;team-x"))
                .body("data.description", equalTo("line one\nline two\n"));
        Pve.api().contentType("application/x-www-form-urlencoded").formParam("memory", "1024").formParam("digest", digest)
                .put("/nodes/pve1/lxc/205/config").then().statusCode(500)
                .body("message", equalTo("detected modified configuration - file changed by other user? Try again.\n"));
        Pve.api().contentType("application/x-www-form-urlencoded").formParam("delete", "description")
                .put("/nodes/pve1/lxc/205/config").then().statusCode(200);
        Pve.api().get("/nodes/pve1/lxc/205/config").then().body("data.description", nullValue());
        Pve.api().contentType("application/x-www-form-urlencoded").put("/nodes/pve1/lxc/205/config").then().statusCode(500)
                .body("message", equalTo("no options specified\n"));
    }

    private static String exec(String ip, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":39375/exec"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String execOut(String ip, String command) throws Exception {
        String out = exec(ip, "{\"command\":\"" + command + "\"}");
        return List.of(out.split("\n")).stream().filter(l -> l.contains("\"stdout\"")).findFirst().orElseThrow()
                .replaceAll(".*\"data\":\"(.*)\"}", "$1");
    }
}
