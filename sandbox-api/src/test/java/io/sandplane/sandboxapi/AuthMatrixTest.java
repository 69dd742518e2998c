package io.sandplane.sandboxapi;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.TestTeam;
import jakarta.inject.Inject;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every endpoint that takes a sandbox id, against no key, a bad key, a disabled team, and another team's key. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class AuthMatrixTest {

    @Inject
    SandboxRows rows;

    record Call(String method, String path, String body, String accept) {
        @Override
        public String toString() {
            return method + " " + path + (accept == null ? "" : " (" + accept + ")");
        }
    }

    static Stream<Call> idEndpoints() {
        return Stream.of(
                new Call("GET", "/api/sandboxes/{id}", null, null),
                new Call("DELETE", "/api/sandboxes/{id}", null, null),
                new Call("POST", "/api/sandboxes/{id}/stop", null, null),
                new Call("POST", "/api/sandboxes/{id}/pause", null, null),
                new Call("POST", "/api/sandboxes/{id}/resume", null, null),
                new Call("POST", "/api/sandboxes/{id}/ttl", "{\"ttlSeconds\":60}", null),
                new Call("POST", "/api/sandboxes/{id}/access-token", null, null),
                new Call("POST", "/api/sandboxes/{id}/exec", "{\"command\":\"true\"}", null),
                new Call("GET", "/api/sandboxes/{id}/services", null, null),
                new Call("POST", "/api/sandboxes/{id}/services", "{\"port\":5173}", null),
                new Call("DELETE", "/api/sandboxes/{id}/services/preview", null, null),
                new Call("DELETE", "/api/sandboxes/{id}/services?name=preview", null, null),
                new Call("GET", "/api/sandboxes/{id}/events", null, null),
                new Call("GET", "/api/sandboxes/{id}/events", null, "text/event-stream"),
                new Call("GET", "/api/sandboxes/{id}/events?follow=true", null, null),
                new Call("GET", "/api/sandboxes/{id}/status", null, null));
    }

    private static io.restassured.response.ValidatableResponse send(RequestSpecification spec, Call call, String id) {
        spec = spec.contentType("application/json");
        if (call.body() != null) {
            spec = spec.body(call.body());
        }
        if (call.accept() != null) {
            spec = spec.accept(call.accept());
        }
        return spec.request(call.method(), call.path().replace("{id}", id)).then();
    }

    /** The team's endpoints that take no sandbox id; the starts must create nothing when refused. */
    static Stream<Call> teamEndpoints() {
        return Stream.of(
                new Call("POST", "/api/sandboxes", "{\"wait\":false}", null),
                new Call("GET", "/api/sandboxes", null, null),
                new Call("POST", "/api/sandboxes/start", "{\"teamSlugOrId\":\"{team}\"}", null),
                new Call("GET", "/api/team", null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("teamEndpoints")
    void teamEndpointsNeedAValidKeyOfAnEnabledTeam(Call call) {
        TestTeam team = TestTeam.create();
        Call forTeam = new Call(call.method(), call.path(), call.body() == null ? null : call.body().replace("{team}", team.slug()),
                call.accept());
        send(given(), forTeam, "").statusCode(401).contentType("application/problem+json").header("WWW-Authenticate", "Bearer");
        send(given().header("Authorization", "Bearer spk_not-a-real-key"), forTeam, "").statusCode(401)
                .contentType("application/problem+json");
        send(given().header("Authorization", "Bearer " + team.key()), forTeam, "").statusCode(
                org.hamcrest.Matchers.oneOf(200, 202, 503)); // 503: the cmux start waits for an unreachable provisioner
        team.disable();
        send(given().header("Authorization", "Bearer " + team.key()), forTeam, "").statusCode(403)
                .contentType("application/problem+json").body("type", equalTo("urn:sandplane:problem:team-disabled"));
        org.assertj.core.api.Assertions.assertThat(rows.count(team.id()))
                .isEqualTo(call.path().equals("/api/sandboxes") && call.method().equals("POST") ? 1 : 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("idEndpoints")
    void withoutAKeyIs401(Call call) {
        TestTeam owner = TestTeam.create();
        String id = rows.insert(owner.id(), SandboxStatus.RUNNING);
        send(given(), call, id).statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer").body("status", equalTo(401));
        send(given().header("Authorization", "Bearer spk_not-a-real-key"), call, id).statusCode(401)
                .contentType("application/problem+json");
        send(given().header("Authorization", "Basic dXNlcjpwYXNz"), call, id).statusCode(401);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("idEndpoints")
    void aDisabledTeamIs403(Call call) {
        TestTeam owner = TestTeam.create();
        String id = rows.insert(owner.id(), SandboxStatus.RUNNING);
        owner.disable();
        send(given().header("Authorization", "Bearer " + owner.key()), call, id).statusCode(403)
                .contentType("application/problem+json").body("type", equalTo("urn:sandplane:problem:team-disabled"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("idEndpoints")
    void anotherTeamsSandboxIs404LikeOneThatDoesNotExist(Call call) {
        TestTeam owner = TestTeam.create();
        TestTeam stranger = TestTeam.create();
        String id = rows.insert(owner.id(), SandboxStatus.RUNNING);
        String missing = rows.insert(owner.id(), SandboxStatus.RUNNING).substring(0, 4) + "aaaaaaaaaaaaaaaaaaaa";
        var foreign = send(given().header("Authorization", "Bearer " + stranger.key()), call, id).statusCode(404)
                .contentType("application/problem+json").extract();
        var absent = send(given().header("Authorization", "Bearer " + stranger.key()), call, missing).statusCode(404)
                .extract();
        // Same answer whether it exists or not, apart from the id itself.
        org.assertj.core.api.Assertions.assertThat(foreign.asString().replace(id, "ID"))
                .isEqualTo(absent.asString().replace(missing, "ID"));
        // And the owner's sandbox is untouched.
        org.assertj.core.api.Assertions.assertThat(rows.find(id).status).isEqualTo(SandboxStatus.RUNNING);
    }
}
