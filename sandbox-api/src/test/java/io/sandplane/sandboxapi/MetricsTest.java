package io.sandplane.sandboxapi;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.TestTeam;
import jakarta.inject.Inject;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * Operators scrape /q/metrics on the management port (docs/operations.md): API requests appear by route
 * template, not by sandbox id.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class MetricsTest {

    /** Prometheus metrics, on the management interface. */
    @TestHTTPResource(value = "metrics", management = true)
    URI metricsUrl;

    @Inject
    SandboxRows rows;

    @Test
    void requestsAreCountedByRouteTemplateAndStatus() {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.RUNNING);
        team.api().get("/api/sandboxes/" + id).then().statusCode(200);

        String metrics = given().get(metricsUrl).then().statusCode(200).extract().asString();

        assertThat(metrics)
                .containsPattern("http_server_requests_seconds_count\\{[^}]*method=\"GET\"[^}]*status=\"200\"[^}]*uri=\"/api/sandboxes/\\{id\\}\"")
                .doesNotContain(id)
                .contains("jvm_memory_used_bytes");
    }
}
