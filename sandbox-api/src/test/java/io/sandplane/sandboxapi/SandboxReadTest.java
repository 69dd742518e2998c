package io.sandplane.sandboxapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.sandboxapi.service.Caller;
import io.sandplane.sandboxapi.service.SandboxQueries;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.TestTeam;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class SandboxReadTest {

    @Inject
    SandboxRows rows;

    @Inject
    SandboxQueries queries;

    @Test
    void getShowsTheSandboxWithItsServiceUrlsAndNoSecrets() {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.RUNNING, Map.of("owner", "ci"));
        int vmid = rows.vmid(id);
        rows.exposeDefaults(id, vmid);
        team.api().get("/api/sandboxes/" + id).then().statusCode(200)
                .body("id", equalTo(id))
                .body("status", equalTo("RUNNING"))
                .body("provider", equalTo("pve-lxc"))
                .body("vmid", equalTo(vmid))
                .body("node", equalTo("pve1"))
                .body("ttlAction", equalTo("pause"))
                .body("metadata.owner", equalTo("ci"))
                .body("urls.vscode", equalTo("http://port-39378-vm-" + vmid + ".sandplane.localhost:8088"))
                .body("urls.worker", equalTo("http://port-39377-vm-" + vmid + ".sandplane.localhost:8088"))
                .body("services", hasSize(4))
                .body("accessToken", nullValue())
                .body("$", not(org.hamcrest.Matchers.hasKey("accessTokenHash")));
    }

    /** A waiting start answers with a plain JDBC read of the row; it must show what the GET shows. */
    @Test
    void theStartsPlainReadShowsWhatTheGetShows() {
        TestTeam team = TestTeam.create();
        Caller caller = new Caller(team.id(), team.slug(), null, "spk_test");
        String running = rows.insert(team.id(), SandboxStatus.RUNNING, Map.of("owner", "ci", "repo", "acme/app"));
        rows.exposeDefaults(running, rows.vmid(running));
        String provisioning = rows.insert(team.id(), SandboxStatus.PROVISIONING);
        for (String id : List.of(running, provisioning)) {
            assertThat(queries.view(id)).isEqualTo(queries.fresh(caller, id));
        }
        assertThat(queries.view(running).services()).hasSize(4);
        assertThat(queries.view(running).metadata()).containsExactly(Map.entry("owner", "ci"), Map.entry("repo", "acme/app"));
        assertThat(queries.view(provisioning).step()).isNull();
        assertThatThrownBy(() -> queries.view("sbx_aaaaaaaaaaaaaaaaaaaa"))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void listsNewestFirstInPagesWithACursor() {
        TestTeam team = TestTeam.create();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(rows.insert(team.id(), SandboxStatus.RUNNING));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var spec = team.api().queryParam("limit", 2);
            if (cursor != null) {
                spec = spec.queryParam("cursor", cursor);
            }
            var page = spec.get("/api/sandboxes").then().statusCode(200).extract();
            seen.addAll(page.path("sandboxes.id"));
            cursor = page.path("nextCursor");
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(ids.reversed());
    }

    @Test
    void filtersByStatusAndMetadataLabelsAndHidesDeletedByDefault() {
        TestTeam team = TestTeam.create();
        String running = rows.insert(team.id(), SandboxStatus.RUNNING, Map.of("env", "ci", "repo", "a"));
        String paused = rows.insert(team.id(), SandboxStatus.PAUSED, Map.of("env", "ci", "repo", "b"));
        String deleted = rows.insert(team.id(), SandboxStatus.DELETED, Map.of("env", "ci"));
        team.api().get("/api/sandboxes").then().statusCode(200).body("sandboxes.id", contains(paused, running));
        team.api().queryParam("status", "running").get("/api/sandboxes").then().body("sandboxes.id", contains(running));
        team.api().queryParam("status", "RUNNING,deleted").get("/api/sandboxes").then()
                .body("sandboxes.id", contains(deleted, running));
        team.api().queryParam("metadata", "repo=b").get("/api/sandboxes").then().body("sandboxes.id", contains(paused));
        team.api().queryParam("metadata", "env=ci").queryParam("metadata", "repo=a").get("/api/sandboxes").then()
                .body("sandboxes.id", contains(running));
        team.api().queryParam("metadata", "env=prod").get("/api/sandboxes").then().body("sandboxes", hasSize(0))
                .body("nextCursor", nullValue());
        // Another team sees none of them.
        TestTeam.create().api().get("/api/sandboxes").then().body("sandboxes", hasSize(0));
    }

    @Test
    void historyListsEventsInOrderAndAfterAnId() {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.PROVISIONING);
        long first = rows.step(id, io.sandplane.model.lifecycle.ProvisionStep.VMID_ALLOCATED);
        rows.step(id, io.sandplane.model.lifecycle.ProvisionStep.CLONED);
        rows.transition(id, SandboxStatus.FAILED);
        team.api().get("/api/sandboxes/" + id + "/events").then().statusCode(200)
                .body("type", contains("STEP", "STEP", "STATUS"))
                .body("step", contains("VMID_ALLOCATED", "CLONED", null))
                .body("progress", contains(1, 2, null))
                .body("totalSteps", contains(7, 7, null))
                .body("[2].fromStatus", equalTo("PROVISIONING"))
                .body("[2].toStatus", equalTo("FAILED"))
                .body("[0].actor", equalTo("provisioner"));
        team.api().queryParam("after", first).get("/api/sandboxes/" + id + "/events").then().statusCode(200)
                .body("type", contains("STEP", "STATUS"));
    }
}
