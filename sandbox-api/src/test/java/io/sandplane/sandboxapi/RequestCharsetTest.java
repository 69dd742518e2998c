package io.sandplane.sandboxapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.sandboxapi.support.RawHttp;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.TestTeam;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * JSON bodies are UTF-8 (RFC 8259 §8.1): a body labelled with any other charset is a 415 problem on
 * every endpoint that takes one and changes nothing; UTF-8 however spelled, or no charset, is read.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class RequestCharsetTest {

    @Inject
    SandboxRows rows;

    @TestHTTPResource("/")
    URI root;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "application/json; charset=utf-16", "application/json;charset=UTF-16LE",
            "application/json; charset=ISO-8859-1", "application/json; charset=latin1", "application/json; charset=us-ascii",
            "application/json; charset=\"utf-16\"", "application/json; charset=utf8", "application/json; charset=bogus",
            "application/json; charset=" })
    void aBodyInAnotherCharsetIs415OnEveryEndpointAndChangesNothing(String contentType) {
        TestTeam team = TestTeam.create();
        String running = rows.insert(team.id(), SandboxStatus.RUNNING);
        Instant expires = rows.find(running).expiresAt;
        String slug = "cs-" + Math.abs(contentType.hashCode());
        record Call(String path, String body, String authorization) {
        }
        List<Call> calls = List.of(
                new Call("/api/sandboxes", "{\"wait\":false}", "Bearer " + team.key()),
                new Call("/api/sandboxes/start", "{\"teamSlugOrId\":\"" + team.slug() + "\"}", "Bearer " + team.key()),
                new Call("/api/sandboxes/" + running + "/ttl", "{\"ttlSeconds\":60}", "Bearer " + team.key()),
                new Call("/api/sandboxes/" + running + "/exec", "{\"command\":\"true\"}", "Bearer " + team.key()),
                new Call("/api/sandboxes/" + running + "/services", "{\"port\":5173}", "Bearer " + team.key()),
                new Call("/api/admin/teams", "{\"slug\":\"" + slug + "\",\"name\":\"x\"}", TestTeam.OPERATOR));
        List<String> wrong = new ArrayList<>();
        for (Call call : calls) {
            RawHttp.Response r = RawHttp.send(root, "POST", call.path(), call.body(),
                    "Authorization: " + call.authorization(), "Content-Type: " + contentType);
            if (r.status() != 415 || !r.header("Content-Type").startsWith("application/problem+json")
                    || !r.json().path("detail").asText().contains("UTF-8")) {
                wrong.add(call.path() + " → " + r.status() + " " + r.text());
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(rows.count(team.id())).isEqualTo(1);
        assertThat(rows.find(running).expiresAt).isEqualTo(expires);
        RawHttp.Response team404 = RawHttp.send(root, "GET", "/api/admin/teams/" + slug, (byte[]) null,
                "Authorization: " + TestTeam.OPERATOR);
        assertThat(team404.status()).isEqualTo(404);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "application/json", "application/json; charset=UTF-8", "application/json;charset=utf-8",
            "application/json; charset=\"UTF-8\"", "Application/JSON; Charset=Utf-8" })
    void utf8HoweverSpelledOrNoCharsetIsRead(String contentType) {
        TestTeam team = TestTeam.create();
        RawHttp.Response r = RawHttp.send(root, "POST", "/api/sandboxes", "{\"wait\":false,\"metadata\":{\"who\":\"Zoë\"}}",
                "Authorization: Bearer " + team.key(), "Content-Type: " + contentType);
        assertThat(r.status()).as(r.text()).isEqualTo(202);
        assertThat(r.json().path("metadata").path("who").asText()).isEqualTo("Zoë");
    }

    /** HTTP/2 sends a body of unknown length without Content-Length or Transfer-Encoding: its type still counts. */
    @Test
    void aStreamedHttp2BodyIsCheckedLikeAnyOther() throws Exception {
        TestTeam team = TestTeam.create();
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        h2.send(HttpRequest.newBuilder(root.resolve("/api/health")).build(), HttpResponse.BodyHandlers.discarding());
        java.util.function.Function<String, HttpResponse<String>> start = contentType -> {
            try {
                return h2.send(HttpRequest.newBuilder(root.resolve("/api/sandboxes"))
                        .header("Authorization", "Bearer " + team.key()).header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofString("{\"wait\":false}")))
                        .build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        HttpResponse<String> text = start.apply("text/plain");
        assertThat(text.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(text.statusCode()).as(text.body()).isEqualTo(415);
        assertThat(start.apply("application/json; charset=utf-16").statusCode()).isEqualTo(415);
        assertThat(rows.count(team.id())).isZero();
        assertThat(start.apply("application/json").statusCode()).isEqualTo(202);
    }

    @Test
    void anUnreadableContentTypeIs415() {
        TestTeam team = TestTeam.create();
        RawHttp.Response r = RawHttp.send(root, "POST", "/api/sandboxes", "{\"wait\":false}",
                "Authorization: Bearer " + team.key(), "Content-Type: ;;;");
        assertThat(r.status()).isEqualTo(415);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(rows.count(team.id())).isZero();
    }
}
