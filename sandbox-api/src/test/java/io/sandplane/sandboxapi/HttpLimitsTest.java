package io.sandplane.sandboxapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.sandboxapi.support.LogCapture;
import io.sandplane.sandboxapi.support.RawHttp;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.TestTeam;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Requests over the HTTP server's limits, or that the server itself finds malformed, get the same
 * problem+json as every other error (not an empty answer from beneath the API), create nothing, and
 * leave no error in the log. Limits (docs/api.md): request line 8 KiB, headers 20 KiB, body 10 MiB.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class HttpLimitsTest {

    private static final int TEN_MIB = 10 * 1024 * 1024;

    @Inject
    SandboxRows rows;

    @TestHTTPResource("/")
    URI root;

    private static void assertProblem(RawHttp.Response r, int status, String type) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().path("status").asInt()).isEqualTo(status);
        assertThat(r.json().path("type").asText()).isEqualTo("urn:sandplane:problem:" + type);
        assertThat(r.json().path("detail").asText()).isNotBlank();
        assertThat(r.text()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void aHundredKilobyteAuthorizationHeaderIs431() {
        try (LogCapture log = LogCapture.start()) {
            RawHttp.Response r = RawHttp.send(root, "GET", "/api/sandboxes", (byte[]) null,
                    "Authorization: Bearer " + "k".repeat(100_000));
            assertProblem(r, 431, "request-header-fields-too-large");
            assertThat(r.json().path("detail").asText()).contains("20480");
            assertThat(log.errorsAndStackTraces()).isEmpty();
        }
    }

    @Test
    void headersJustUnderTheLimitAreServed() {
        RawHttp.Response r = RawHttp.send(root, "GET", "/api/health", (byte[]) null, "X-Padding: " + "p".repeat(19_000));
        assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void manySmallHeadersOverTheLimitAre431() {
        String[] headers = new String[3000];
        Arrays.setAll(headers, i -> "X-H" + i + ": v");
        assertProblem(RawHttp.send(root, "GET", "/api/health", (byte[]) null, headers), 431, "request-header-fields-too-large");
    }

    @Test
    void anOverlongRequestLineIs414() {
        TestTeam team = TestTeam.create();
        RawHttp.Response r = RawHttp.send(root, "GET", "/api/sandboxes?metadata=k=" + "v".repeat(10_000), (byte[]) null,
                "Authorization: Bearer " + team.key());
        assertProblem(r, 414, "uri-too-long");
    }

    @Test
    void aBodyOverTenMebibytesIs413AndStartsNothing() {
        TestTeam team = TestTeam.create();
        byte[] body = new byte[TEN_MIB + 1];
        Arrays.fill(body, (byte) ' ');
        RawHttp.Response r = RawHttp.send(root, "POST", "/api/sandboxes", body, "Authorization: Bearer " + team.key(),
                "Content-Type: application/json");
        assertProblem(r, 413, "content-too-large");
        assertThat(rows.count(team.id())).isZero();
    }

    @Test
    void aChunkedBodyOverTenMebibytesIs413AndStartsNothing() {
        TestTeam team = TestTeam.create();
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("POST /api/sandboxes HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Authorization: Bearer " + team.key() + "\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        byte[] chunk = new byte[1024 * 1024];
        Arrays.fill(chunk, (byte) ' ');
        for (int i = 0; i < 11; i++) {
            request.writeBytes((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            request.writeBytes(chunk);
            request.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        request.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertProblem(RawHttp.sendRaw(root, request.toByteArray()), 413, "content-too-large");
        assertThat(rows.count(team.id())).isZero();
    }

    @Test
    void aMissingOrMalformedHostIs400() {
        try (LogCapture log = LogCapture.start()) {
            assertProblem(RawHttp.sendRaw(root, "GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1)), 400, "bad-request");
            assertProblem(RawHttp.send(root, "GET", "/api/health", (byte[]) null, "Host: [::1"), 400, "bad-request");
            assertThat(log.errorsAndStackTraces()).isEmpty();
        }
    }
}
