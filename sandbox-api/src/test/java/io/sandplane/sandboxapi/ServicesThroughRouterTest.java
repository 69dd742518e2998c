package io.sandplane.sandboxapi;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.SharedUrlRouter;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.TestTeam;
import io.sandplane.sandboxapi.support.UpstreamsResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Services go through the real url-router: it computes and stores the URLs the API then shows. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = UpstreamsResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ServicesThroughRouterTest {

    @Inject
    SandboxRows rows;

    @Test
    void exposesListsAndHidesServices() {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.RUNNING);
        int vmid = rows.vmid(id);
        String domain = SharedUrlRouter.get().publicDomain();
        team.api().body("{\"port\":5173,\"authMode\":\"public\"}").post("/api/sandboxes/" + id + "/services")
                .then().statusCode(201)
                .body("name", equalTo("preview"))
                .body("port", equalTo(5173))
                .body("authMode", equalTo("public"))
                .body("url", equalTo("http://port-5173-vm-" + vmid + "." + domain));
        team.api().body("{\"port\":3000,\"name\":\"web\"}").post("/api/sandboxes/" + id + "/services")
                .then().statusCode(201).body("authMode", equalTo("token"));
        team.api().get("/api/sandboxes/" + id + "/services").then().statusCode(200)
                .body("name", containsInAnyOrder("preview", "web"));
        // The sandbox shows the stored URLs too.
        team.api().get("/api/sandboxes/" + id).then().statusCode(200)
                .body("urls.preview", equalTo("http://port-5173-vm-" + vmid + "." + domain))
                .body("urls.web", equalTo("http://port-3000-vm-" + vmid + "." + domain));

        team.api().delete("/api/sandboxes/" + id + "/services/web").then().statusCode(204);
        team.api().delete("/api/sandboxes/" + id + "/services?name=preview").then().statusCode(204);
        team.api().get("/api/sandboxes/" + id + "/services").then().statusCode(200).body("name", not(hasItem("web")))
                .body("$", org.hamcrest.Matchers.empty());
        team.api().get("/api/sandboxes/" + id + "/events").then()
                .body("detail", hasItem(org.hamcrest.Matchers.startsWith("service preview (port 5173, public) exposed")))
                .body("detail", hasItem(org.hamcrest.Matchers.startsWith("service web hidden")));
    }

    @Test
    void theRoutersRefusalsReachTheCallerAsProblems() {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.RUNNING);
        // vscode is port 39378: another port under that name is refused by the url-router.
        team.api().body("{\"port\":8080,\"name\":\"vscode\"}").post("/api/sandboxes/" + id + "/services")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", contains("port"));
        // The exec port only with token auth.
        team.api().body("{\"port\":39375,\"authMode\":\"public\"}").post("/api/sandboxes/" + id + "/services")
                .then().statusCode(400).body("errors.field", contains("authMode"));
        // A sandbox without an address yet cannot expose anything.
        String provisioning = rows.insert(team.id(), SandboxStatus.PROVISIONING);
        team.api().body("{\"port\":5173}").post("/api/sandboxes/" + provisioning + "/services")
                .then().statusCode(409).contentType("application/problem+json");
    }
}
