package io.sandplane.reaper.rules;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.provisioner.SharedProvisionerResource;
import io.sandplane.devsupport.simulator.SimulatorControl.ApiResponse;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.api.ReaperPassReport;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.reaper.testing.Fixtures;
import io.sandplane.reaper.testing.World;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The isolation audit end to end: a sandbox started for real by the provisioner is isolated; someone with access
 * to PVE switches its firewall off; the next pass records the problem (so the url-router stops routing to it),
 * writes one event and counts it; switched back on, the next pass clears it.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = SharedProvisionerResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class IsolationAuditTest {

    private static final String REPORTED = "reaper_isolation_problems_reported_total";

    @TestHTTPResource(value = "metrics", management = true)
    URI metricsUrl;

    @Inject
    World world;

    @Inject
    Fixtures fixtures;

    @BeforeEach
    void reset() {
        world.reset();
    }

    @Test
    void aGuestWhoseFirewallIsSwitchedOffIsReportedOnceAndRoutedAgainWhenItIsBackOn() {
        Sandbox sandbox = world.running();

        ReaperPassReport first = world.pass();
        assertThat(first.isolation()).as(first.toString()).satisfies(a -> {
            assertThat(a.checked()).isEqualTo(1);
            assertThat(a.problems()).as("%s", a.examples()).isZero();
            assertThat(a.failed()).isZero();
        });
        assertThat(fixtures.reload(sandbox.id).isolationCheckedAt).isNotNull();
        assertThat(fixtures.reload(sandbox.id).isolationProblem).isNull();
        double reportedBefore = metric(REPORTED);

        // Someone with access to PVE switches the guest's firewall off.
        firewall(sandbox, "0");

        ReaperPassReport dryRun = world.dryRun();
        assertThat(dryRun.isolation().problems()).isEqualTo(1);
        assertThat(dryRun.isolation().reported()).as("a dry run records nothing").isZero();
        assertThat(fixtures.reload(sandbox.id).isolationProblem).isNull();

        ReaperPassReport found = world.pass();
        assertThat(found.isolation().problems()).isEqualTo(1);
        assertThat(found.isolation().reported()).isEqualTo(1);
        assertThat(found.isolation().examples()).singleElement().asString().contains(sandbox.id).contains("enable");
        String problem = fixtures.reload(sandbox.id).isolationProblem;
        assertThat(problem).contains("firewall option enable is 0");
        assertThat(metric(REPORTED)).isEqualTo(reportedBefore + 1);
        assertThat(fixtures.events(sandbox.id)).filteredOn(e -> e.type == SandboxEvent.Type.ERROR)
                .singleElement().satisfies(e -> {
                    assertThat(e.actor).isEqualTo("reaper");
                    assertThat(e.detail).contains(problem).contains("no longer routes");
                });

        // Found again: not reported again.
        ReaperPassReport again = world.pass();
        assertThat(again.isolation().problems()).isEqualTo(1);
        assertThat(again.isolation().reported()).isZero();
        assertThat(metric(REPORTED)).isEqualTo(reportedBefore + 1);
        assertThat(fixtures.events(sandbox.id)).filteredOn(e -> e.type == SandboxEvent.Type.ERROR).hasSize(1);

        firewall(sandbox, "1");
        ReaperPassReport back = world.pass();
        assertThat(back.isolation().cleared()).isEqualTo(1);
        assertThat(back.isolation().problems()).isZero();
        assertThat(fixtures.reload(sandbox.id).isolationProblem).isNull();
        assertThat(fixtures.events(sandbox.id)).last().satisfies(e -> {
            assertThat(e.type).isEqualTo(SandboxEvent.Type.ACTION);
            assertThat(e.detail).contains("isolated again");
        });
    }

    private void firewall(Sandbox sandbox, String enable) {
        ApiResponse r = world.sim().api("PUT", "/nodes/" + sandbox.node + "/lxc/" + sandbox.vmid + "/firewall/options",
                Map.of("enable", enable));
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
    }

    /** A counter's value from the Prometheus page (0 before it was first incremented). */
    private double metric(String name) {
        String page = given().get(metricsUrl).then().statusCode(200).extract().asString();
        return page.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
