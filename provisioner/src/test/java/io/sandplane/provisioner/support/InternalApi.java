package io.sandplane.provisioner.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.sandplane.model.api.ExecRequest;
import io.sandplane.model.api.ExecResult;
import io.sandplane.model.api.GuestInventory;
import io.sandplane.model.api.SandboxState;
import io.sandplane.model.internal.InternalToken;

/** The provisioner's internal API as other services call it (with the internal token). */
public final class InternalApi {

    public static final String TOKEN = "test-internal-token-not-secret";

    private InternalApi() {
    }

    public static RequestSpecification request() {
        return given().header(InternalToken.HEADER, TOKEN).contentType(ContentType.JSON).accept(ContentType.JSON);
    }

    public static ValidatableResponse call(String method, String path, Object... params) {
        return request().request(method, path, params).then();
    }

    public static SandboxState provision(String id) {
        return ok(call("POST", "/internal/sandboxes/{id}/provision", id));
    }

    public static SandboxState stop(String id) {
        return ok(call("POST", "/internal/sandboxes/{id}/stop", id));
    }

    public static SandboxState pause(String id) {
        return ok(call("POST", "/internal/sandboxes/{id}/pause", id));
    }

    public static SandboxState resume(String id) {
        return ok(call("POST", "/internal/sandboxes/{id}/resume", id));
    }

    public static SandboxState delete(String id) {
        return ok(call("DELETE", "/internal/sandboxes/{id}", id));
    }

    public static SandboxState recover(String id) {
        return ok(call("POST", "/internal/sandboxes/{id}/recover", id));
    }

    public static ExecResult exec(String id, String command, Long timeoutMs) {
        return request().body(new ExecRequest(command, timeoutMs)).post("/internal/sandboxes/{id}/exec", id)
                .then().statusCode(200).extract().as(ExecResult.class);
    }

    public static GuestInventory guests() {
        return request().get("/internal/guests").then().statusCode(200).extract().as(GuestInventory.class);
    }

    private static SandboxState ok(ValidatableResponse response) {
        return response.statusCode(200).extract().as(SandboxState.class);
    }
}
