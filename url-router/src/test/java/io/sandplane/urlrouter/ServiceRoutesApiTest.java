package io.sandplane.urlrouter;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.internal.InternalToken;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.service.AuthMode;
import io.sandplane.urlrouter.support.Fixtures;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class ServiceRoutesApiTest {

    private static final String TOKEN = "test-internal-token-not-secret";

    private static RequestSpecification internal() {
        return given().header(InternalToken.HEADER, TOKEN).contentType(ContentType.JSON);
    }

    @Test
    void exposesAServiceWithItsPublicUrlStoredAndListed() {
        Fixtures.Sandbox sandbox = Fixtures.sandbox().ip("10.0.0.7").insert();
        String url = "http://port-5173-vm-" + sandbox.vmid() + ".sandplane.localhost";

        internal().body("{\"port\": 5173, \"authMode\": \"public\"}")
                .put("/internal/sandboxes/{id}/services/preview", sandbox.id())
                .then().statusCode(200)
                .body("name", equalTo("preview"))
                .body("port", equalTo(5173))
                .body("authMode", equalTo("public"))
                .body("url", equalTo(url));

        internal().get("/internal/sandboxes/{id}/services", sandbox.id())
                .then().statusCode(200)
                .body("name", contains("preview"))
                .body("url", contains(url));
        org.assertj.core.api.Assertions.assertThat(
                Fixtures.queryUrl(sandbox.id(), "preview")).contains(url);
    }

    @Test
    void authModeDefaultsToTokenAndReExposingChangesIt() {
        Fixtures.Sandbox sandbox = Fixtures.sandbox().ip("10.0.0.8").insert();
        internal().body("{\"port\": 3000}").put("/internal/sandboxes/{id}/services/app", sandbox.id())
                .then().statusCode(200).body("authMode", equalTo("token"));
        internal().body("{\"port\": 3000, \"authMode\": \"public\"}").put("/internal/sandboxes/{id}/services/app", sandbox.id())
                .then().statusCode(200).body("authMode", equalTo("public"));
        internal().get("/internal/sandboxes/{id}/services", sandbox.id())
                .then().statusCode(200).body("authMode", contains("public"));
    }

    @Test
    void listsServicesInPortOrder() {
        Fixtures.Sandbox sandbox = Fixtures.sandbox().ip("10.0.0.9")
                .service("xterm", 39383, AuthMode.TOKEN).service("vscode", 39378, AuthMode.TOKEN).service("worker", 39377, AuthMode.TOKEN)
                .insert();
        internal().get("/internal/sandboxes/{id}/services", sandbox.id())
                .then().statusCode(200).body("port", contains(39377, 39378, 39383));
    }

    @Test
    void hidingRemovesTheServiceAndHidingAnUnknownOneSucceeds() {
        Fixtures.Sandbox sandbox = Fixtures.sandbox().ip("10.0.0.10").service("vscode", 39378, AuthMode.TOKEN).insert();
        internal().delete("/internal/sandboxes/{id}/services/vscode", sandbox.id()).then().statusCode(204);
        internal().delete("/internal/sandboxes/{id}/services/vscode", sandbox.id()).then().statusCode(204);
        internal().get("/internal/sandboxes/{id}/services", sandbox.id()).then().statusCode(200).body("$", empty());
    }

    @Test
    void aPortCanBeExposedUnderOneNameOnly() {
        Fixtures.Sandbox sandbox = Fixtures.sandbox().ip("10.0.0.11").service("app", 3000, AuthMode.TOKEN).insert();
        internal().body("{\"port\": 3000}").put("/internal/sandboxes/{id}/services/other", sandbox.id())
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("already exposed as 'app'"));
    }

    @Test
    void wellKnownNamesKeepTheirPorts() {
        Fixtures.Sandbox sandbox = Fixtures.sandbox().ip("10.0.0.12").insert();
        internal().body("{\"port\": 8080}").put("/internal/sandboxes/{id}/services/vscode", sandbox.id())
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("port"));
    }

    @Test
    void theExecPortIsNeverPublic() {
        Fixtures.Sandbox sandbox = Fixtures.sandbox().ip("10.0.0.13").insert();
        internal().body("{\"port\": 39375, \"authMode\": \"public\"}").put("/internal/sandboxes/{id}/services/exec", sandbox.id())
                .then().statusCode(400).body("errors.field", hasItem("authMode"));
        internal().body("{\"port\": 39375, \"authMode\": \"token\"}").put("/internal/sandboxes/{id}/services/exec", sandbox.id())
                .then().statusCode(200).body("authMode", equalTo("token"));
    }

    @Test
    void badInputIsA400ProblemNeverA500() {
        Fixtures.Sandbox sandbox = Fixtures.sandbox().ip("10.0.0.14").insert();
        internal().body("{\"port\": 70000}").put("/internal/sandboxes/{id}/services/app", sandbox.id())
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("port"));
        internal().body("{}").put("/internal/sandboxes/{id}/services/app", sandbox.id())
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("port"));
        internal().body("{\"port\": 3000, \"authMode\": \"open\"}").put("/internal/sandboxes/{id}/services/app", sandbox.id())
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("authMode"));
        internal().body("{\"port\": ").put("/internal/sandboxes/{id}/services/app", sandbox.id())
                .then().statusCode(400).contentType("application/problem+json");
        internal().body("{\"port\": 3000}").put("/internal/sandboxes/{id}/services/Bad_Name", sandbox.id())
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("name"));
    }

    @Test
    void unknownDeletedOrMalformedSandboxesAre404() {
        internal().get("/internal/sandboxes/{id}/services", "sbx_aaaaaaaaaaaaaaaaaaaa").then().statusCode(404)
                .contentType("application/problem+json");
        internal().get("/internal/sandboxes/{id}/services", "not-an-id").then().statusCode(404);
        Fixtures.Sandbox deleted = Fixtures.sandbox().status(SandboxStatus.DELETED).insert();
        internal().body("{\"port\": 3000}").put("/internal/sandboxes/{id}/services/app", deleted.id()).then().statusCode(404);
    }

    @Test
    void aSandboxOnItsWayOutOrWithoutAnAddressIsAConflict() {
        Fixtures.Sandbox deleting = Fixtures.sandbox().ip("10.0.0.15").status(SandboxStatus.DELETING).insert();
        internal().body("{\"port\": 3000}").put("/internal/sandboxes/{id}/services/app", deleting.id())
                .then().statusCode(409).body("detail", containsString("DELETING"));
        Fixtures.Sandbox noVmid = Fixtures.sandbox().vmid(null).status(SandboxStatus.PROVISIONING).insert();
        internal().body("{\"port\": 3000}").put("/internal/sandboxes/{id}/services/app", noVmid.id())
                .then().statusCode(409).body("detail", containsString("no address yet"));
    }

    @Test
    void needsTheInternalToken() {
        Fixtures.Sandbox sandbox = Fixtures.sandbox().ip("10.0.0.16").insert();
        given().get("/internal/sandboxes/{id}/services", sandbox.id()).then().statusCode(401)
                .contentType("application/problem+json");
        given().header(InternalToken.HEADER, "wrong-token-wrong-token").get("/internal/sandboxes/{id}/services", sandbox.id())
                .then().statusCode(401);
    }
}
