package io.sandplane.reaper;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.observability.RequestIds;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.UriInfo;
import org.junit.jupiter.api.Test;

/** Request ids reach the logging context, come back on the response and travel on outgoing calls. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class RequestIdPropagationTest {

    @Path("/request-id-probe")
    public static class Probe {

        @GET
        @Path("/downstream")
        public String downstream(@HeaderParam(RequestIds.HEADER) String received) {
            return received == null ? "none" : received;
        }

        /** Calls /downstream through a REST client, as one service calls another. */
        @GET
        @Path("/upstream")
        @RunOnVirtualThread
        public String upstream(@Context UriInfo uri) {
            DownstreamClient client = QuarkusRestClientBuilder.newBuilder()
                    .baseUri(uri.getBaseUri()).build(DownstreamClient.class);
            return RequestIds.current() + " -> " + client.downstream();
        }
    }

    @Path("/request-id-probe")
    public interface DownstreamClient {
        @GET
        @Path("/downstream")
        String downstream();
    }

    @Test
    void aCallersIdIsKeptAndForwarded() {
        given().header(RequestIds.HEADER, "req-42").get("/request-id-probe/upstream").then()
                .statusCode(200)
                .header(RequestIds.HEADER, "req-42")
                .body(equalTo("req-42 -> req-42"));
    }

    @Test
    void aMissingOrUnsafeIdIsReplaced() {
        given().header(RequestIds.HEADER, "bad id\twith spaces").get("/request-id-probe/upstream").then()
                .statusCode(200)
                .header(RequestIds.HEADER, matchesPattern("[0-9a-f-]{36}"))
                .body(matchesPattern("([0-9a-f-]{36}) -> \\1"));
    }
}
