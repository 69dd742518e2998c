package io.sandplane.reaper.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.VmidAllocation;
import io.sandplane.model.internal.InternalToken;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.lifecycle.TtlAction;
import io.sandplane.reaper.config.ReaperConfig;
import io.sandplane.reaper.testing.Fixtures;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * This suite's provisioner URL points at a closed port: a pass that cannot read the guest list
 * fails and does nothing at all, not even what needs no guest list.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class PassWithoutProvisionerTest {

    /** Prometheus metrics, on the management interface. */
    @TestHTTPResource(value = "metrics", management = true)
    URI metricsUrl;

    @Inject
    Fixtures fixtures;

    @Inject
    ReaperConfig config;

    @ConfigProperty(name = "sandplane.internal-token")
    String token;

    @Test
    void aPassThatCannotListGuestsFailsAndActsOnNothing() {
        Sandbox expired = fixtures.sandbox().expiredAgo(Duration.ofHours(1), TtlAction.STOP).insert();
        Sandbox deleted = fixtures.sandbox().status(SandboxStatus.DELETED).statusChangedAgo(Duration.ofHours(2)).insert();

        given().header(InternalToken.HEADER, token).post("/internal/reaper/passes")
                .then().statusCode(200)
                .body("outcome", equalTo("FAILED"))
                .body("error", containsString("provisioner unreachable"))
                .body("actions.size()", equalTo(0));

        assertThat(fixtures.reload(expired.id).status).isEqualTo(SandboxStatus.RUNNING);
        assertThat(fixtures.events(expired.id)).isEmpty();
        assertThat(fixtures.allocations(deleted.id)).extracting(a -> a.state).containsOnly(VmidAllocation.State.ALLOCATED);

        given().header(InternalToken.HEADER, token).get("/internal/reaper/status")
                .then().statusCode(200)
                .body("leader", equalTo(true))
                .body("leaderInstance", equalTo(given().header(InternalToken.HEADER, token).get("/internal/reaper/status")
                        .path("instance")))
                .body("lastPass.outcome", equalTo("FAILED"))
                .body("lastSuccessfulPassAt", equalTo(null));

        String metrics = given().get(metricsUrl).then().statusCode(200).extract().asString();
        assertThat(metrics).contains("reaper_pass_duration_seconds_count{outcome=\"failed\"")
                .contains("reaper_leader 1.0");
    }

    @Test
    void theInternalApiNeedsTheInternalToken() {
        given().get("/internal/reaper/status").then().statusCode(401)
                .contentType("application/problem+json");
        given().post("/internal/reaper/passes").then().statusCode(401);
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertThat(config.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.orphanGrace()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.retention()).isEqualTo(Duration.ofDays(7));
        assertThat(config.provisioningDeadline()).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.deletingDeadline()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.maxDestructiveActions()).isEqualTo(50);
        assertThat(config.dryRun()).isFalse();
    }
}
