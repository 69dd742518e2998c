package io.sandplane.sandboxapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.network.NetworkPolicy;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.TestTeam;
import io.sandplane.sandboxapi.support.UpstreamsResource;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A sandbox's network policy through the real provisioner (over the pve-simulator) and url-router: it is on the
 * row, and the commands that move the sandbox (which the provisioner writes) leave it as it was admitted.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = UpstreamsResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class NetworkPolicyLifecycleTest {

    private static final String POLICY = """
            {"egress":"allow-list","allow":[{"cidr":"203.0.113.0/24","ports":"443"},{"cidr":"2001:db8::/32","protocol":"udp"}]}""";
    private static final Map<String, Object> SHOWN = Map.of("egress", "allow-list", "allow", List.of(
            Map.of("cidr", "203.0.113.0/24", "protocol", "tcp", "ports", "443"),
            Map.of("cidr", "2001:db8::/32", "protocol", "udp")));

    @Inject
    SandboxRows rows;

    @Test
    void aSandboxKeepsItsPolicyThroughPauseStopAndResume() {
        TestTeam team = TestTeam.create();
        String id = team.api().body("{\"ttlSeconds\":600,\"network\":" + POLICY + "}").post("/api/sandboxes").then()
                .statusCode(201).body("status", equalTo("RUNNING")).body("network", equalTo(SHOWN)).extract().path("id");
        NetworkPolicy admitted = rows.find(id).networkPolicy();

        team.api().post("/api/sandboxes/" + id + "/pause").then().statusCode(200).body("status", equalTo("PAUSED"))
                .body("network", equalTo(SHOWN));
        team.api().post("/api/sandboxes/" + id + "/resume").then().statusCode(200).body("status", equalTo("RUNNING"))
                .body("network", equalTo(SHOWN));
        team.api().post("/api/sandboxes/" + id + "/stop").then().statusCode(204);
        team.api().post("/api/sandboxes/" + id + "/resume").then().statusCode(200).body("status", equalTo("RUNNING"));
        team.api().get("/api/sandboxes/" + id).then().statusCode(200).body("network", equalTo(SHOWN));
        assertThat(rows.find(id).networkPolicy()).isEqualTo(admitted);
        // The provisioner moved the row through five states; the policy is what was admitted.
        team.api().get("/api/sandboxes/" + id + "/events").then().statusCode(200)
                .body("findAll { it.type == 'STATUS' }.toStatus", equalTo(List.of("RUNNING", "PAUSED", "RUNNING",
                        "STOPPED", "RUNNING")));
        team.api().delete("/api/sandboxes/" + id).then().statusCode(200).body("network", equalTo(SHOWN));
    }

    @Test
    void cmuxStartsGetTheTeamsDefault() {
        TestTeam team = TestTeam.create().network("{\"default\":" + POLICY + "}");
        String id = team.api().body(CmuxFacadeTest.fullStartBody(team.slug())).post("/api/sandboxes/start").then()
                .statusCode(200).extract().path("instanceId");
        team.api().get("/api/sandboxes/" + id).then().statusCode(200).body("status", equalTo("RUNNING"))
                .body("network", equalTo(SHOWN));
        team.api().delete("/api/sandboxes/" + id).then().statusCode(200);
    }
}
