package io.sandplane.sandboxapi;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.Secrets;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.network.Cidr;
import io.sandplane.model.network.EgressMode;
import io.sandplane.model.network.EgressRule;
import io.sandplane.model.network.NetworkPolicy;
import io.sandplane.model.network.Ports;
import io.sandplane.model.network.Protocol;
import io.sandplane.sandboxapi.rest.dto.CreateSandboxRequest;
import io.sandplane.sandboxapi.service.StartRequests;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.TestTeam;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A start's network policy: asked for or the team's default, checked against what the operator allows the team,
 * recorded on the row and shown. Background starts (wait=false) answer with the row as admitted; the provisioner
 * is unreachable here (its round trips are in NetworkPolicyLifecycleTest).
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class NetworkPolicyTest {

    private static final Map<String, Object> DENY_PRIVATE = Map.of("egress", "deny-private", "allow", List.of());
    /** Spelt as a client might: protocol left to its default, upper-case hex, a host without its /32. */
    private static final String LIST_JSON = """
            {"egress":"allow-list","allow":[
              {"cidr":"203.0.113.0/24","ports":"443"},
              {"cidr":"2001:DB8:0::/32","protocol":"udp","ports":"53,8000-9000"},
              {"cidr":"198.51.100.7","protocol":"any"}]}""";
    private static final String LIST_START = "{\"wait\":false,\"network\":" + LIST_JSON + "}";
    private static final NetworkPolicy LIST_POLICY = new NetworkPolicy(EgressMode.ALLOW_LIST, List.of(
            new EgressRule(Cidr.parse("c", "203.0.113.0/24"), Protocol.TCP, Ports.parse("p", "443")),
            new EgressRule(Cidr.parse("c", "2001:db8::/32"), Protocol.UDP, Ports.parse("p", "53,8000-9000")),
            new EgressRule(Cidr.parse("c", "198.51.100.7/32"), Protocol.ANY, null)));
    private static final List<Map<String, String>> LIST_SHOWN = List.of(
            Map.of("cidr", "203.0.113.0/24", "protocol", "tcp", "ports", "443"),
            Map.of("cidr", "2001:db8::/32", "protocol", "udp", "ports", "53,8000-9000"),
            Map.of("cidr", "198.51.100.7/32", "protocol", "any"));
    private static final String OPEN_FOR_ALL = "{\"allowedEgress\":[\"open\",\"deny-private\",\"allow-list\"]}";

    @Inject
    SandboxRows rows;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    StartRequests requests;

    private static ValidatableResponse operatorGet(String path) {
        return given().header("Authorization", TestTeam.OPERATOR).get(path).then().statusCode(200);
    }

    @Test
    void aStartsPolicyIsRecordedAndShownInItsCanonicalSpelling() {
        TestTeam team = TestTeam.create();
        String id = team.api().body(LIST_START).post("/api/sandboxes").then().statusCode(202)
                .body("network.egress", equalTo("allow-list"))
                .body("network.allow", equalTo(LIST_SHOWN))
                .extract().path("id");
        assertThat(rows.find(id).networkPolicy()).isEqualTo(LIST_POLICY);
        team.api().get("/api/sandboxes/" + id).then().statusCode(200)
                .body("network.egress", equalTo("allow-list")).body("network.allow", equalTo(LIST_SHOWN));
        team.api().get("/api/sandboxes?status=PROVISIONING,FAILED").then().statusCode(200)
                .body("sandboxes.find { it.id == '" + id + "' }.network.allow", equalTo(LIST_SHOWN));
    }

    @Test
    void aStartWithoutNetworkGetsItsTeamsDefaultAsItIsAtAdmission() {
        TestTeam team = TestTeam.create();
        String before = team.api().body("{\"wait\":false}").post("/api/sandboxes").then().statusCode(202)
                .body("network", equalTo(DENY_PRIVATE)).extract().path("id");
        team.api().body("{\"wait\":false,\"network\":null}").post("/api/sandboxes").then().statusCode(202)
                .body("network", equalTo(DENY_PRIVATE));

        team.network("{\"default\":" + LIST_JSON + "}");
        String after = team.api().body("{\"wait\":false}").post("/api/sandboxes").then().statusCode(202)
                .body("network.egress", equalTo("allow-list")).body("network.allow", equalTo(LIST_SHOWN))
                .extract().path("id");
        assertThat(rows.find(after).networkPolicy()).isEqualTo(LIST_POLICY);
        // A sandbox keeps the policy it started with; the team's new default is for new starts.
        assertThat(rows.find(before).networkPolicy()).isEqualTo(NetworkPolicy.DEFAULT);
        team.api().get("/api/sandboxes/" + before).then().body("network", equalTo(DENY_PRIVATE));
    }

    @Test
    void aModeTheTeamMayNotUseIs403AndRecordsNothingNotEvenTheKey() {
        TestTeam team = TestTeam.create();
        String open = "{\"wait\":false,\"network\":{\"egress\":\"open\"}}";
        team.api().header("Idempotency-Key", "open-1").body(open).post("/api/sandboxes").then().statusCode(403)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:sandplane:problem:egress-not-allowed"))
                .body("detail", equalTo("team " + team.slug() + ": egress open is not allowed for this team, which may use"
                        + " deny-private, allow-list; the operator decides"))
                .body("allowedEgress", equalTo(List.of("deny-private", "allow-list")));
        // An allow-list that reaches private addresses is what open is: the same permission.
        String lan = "{\"wait\":false,\"network\":{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"8.8.8.8\"},"
                + "{\"cidr\":\"0.0.0.0/0\",\"ports\":\"22\"}]}}";
        team.api().body(lan).post("/api/sandboxes").then().statusCode(403)
                .body("type", equalTo("urn:sandplane:problem:egress-not-allowed"))
                .body("detail", startsWith("team " + team.slug() + ": network.allow[1] 0.0.0.0/0 reaches 0.0.0.0/8, 10.0.0.0/8"));
        assertThat(rows.count(team.id())).isZero();

        team.network(OPEN_FOR_ALL);
        // The refused start recorded no key: the same request with the same key now starts, it is no replay.
        team.api().header("Idempotency-Key", "open-1").body(open).post("/api/sandboxes").then().statusCode(202)
                .header("Idempotent-Replayed", org.hamcrest.Matchers.nullValue())
                .body("network", equalTo(Map.of("egress", "open", "allow", List.of())));
        team.api().body(lan).post("/api/sandboxes").then().statusCode(202).body("network.allow[1].cidr", equalTo("0.0.0.0/0"));
        assertThat(rows.count(team.id())).isEqualTo(2);
    }

    @Test
    void aTeamLimitedToAnAllowListGetsNothingElse() {
        TestTeam team = TestTeam.create()
                .network("{\"default\":{\"egress\":\"allow-list\",\"allow\":[]},\"allowedEgress\":[\"allow-list\"]}");
        team.api().body("{\"wait\":false,\"network\":{\"egress\":\"deny-private\"}}").post("/api/sandboxes").then()
                .statusCode(403).body("allowedEgress", equalTo(List.of("allow-list")));
        team.api().body("{\"wait\":false}").post("/api/sandboxes").then().statusCode(202)
                .body("network", equalTo(Map.of("egress", "allow-list", "allow", List.of())));
        team.api().body(LIST_START).post("/api/sandboxes").then().statusCode(202).body("network.allow", equalTo(LIST_SHOWN));
        assertThat(rows.count(team.id())).isEqualTo(2);
    }

    @Test
    void theTeamViewsShowTheNetworkSettingsTheOperatorSets() {
        TestTeam team = TestTeam.create();
        Map<String, Object> defaults = Map.of("default", DENY_PRIVATE, "allowedEgress", List.of("deny-private", "allow-list"));
        operatorGet("/api/admin/teams/" + team.slug()).body("network", equalTo(defaults));
        team.api().get("/api/team").then().statusCode(200).body("team.network", equalTo(defaults));

        given().header("Authorization", TestTeam.OPERATOR).contentType("application/json")
                .body("{\"allowedEgress\":[\"allow-list\",\"open\",\"deny-private\"]}")
                .put("/api/admin/teams/" + team.id() + "/network").then().statusCode(200)
                .body("network.allowedEgress", equalTo(List.of("open", "deny-private", "allow-list")))
                .body("network.default", equalTo(DENY_PRIVATE));
        given().header("Authorization", TestTeam.OPERATOR).contentType("application/json")
                .body("{\"default\":{\"egress\":\"open\"}}")
                .put("/api/admin/teams/" + team.slug() + "/network").then().statusCode(200)
                .body("network.default", equalTo(Map.of("egress", "open", "allow", List.of())));
        team.api().get("/api/team").then().body("team.network.default.egress", equalTo("open"));
        // Taking open away while it is the default would leave the default unusable: refused, nothing changed.
        given().header("Authorization", TestTeam.OPERATOR).contentType("application/json")
                .body("{\"allowedEgress\":[\"deny-private\"]}")
                .put("/api/admin/teams/" + team.slug() + "/network").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("allowedEgress"))
                .body("errors[0].message", containsString("give a new default too"));
        operatorGet("/api/admin/teams/" + team.slug()).body("network.default.egress", equalTo("open"))
                .body("network.allowedEgress", equalTo(List.of("open", "deny-private", "allow-list")));
        given().header("Authorization", TestTeam.OPERATOR).contentType("application/json")
                .body("{\"allowedEgress\":[\"deny-private\"]}")
                .put("/api/admin/teams/no-such-team/network").then().statusCode(404);
    }

    @Test
    void aRetryWithTheSameKeyAndAnotherNetworkIsTheIdempotencyConflict() {
        TestTeam team = TestTeam.create();
        String first = team.api().header("Idempotency-Key", "net-1").body(LIST_START).post("/api/sandboxes").then()
                .statusCode(202).extract().path("id");
        // The same policy spelt another way is the same request: a replay.
        String respelt = """
                {"network":{"allow":[
                  {"ports":"443","protocol":"tcp","cidr":"203.0.113.0/24"},
                  {"cidr":"2001:db8::/32","protocol":"udp","ports":"53,8000-9000"},
                  {"cidr":"198.51.100.7/32","protocol":"any"}],"egress":"allow-list"},"wait":false}""";
        team.api().header("Idempotency-Key", "net-1").body(respelt).post("/api/sandboxes").then().statusCode(202)
                .header("Idempotent-Replayed", "true").body("id", equalTo(first));
        for (String other : List.of(
                LIST_START.replace("\"443\"", "\"8443\""),
                LIST_START.replace("203.0.113.0/24", "203.0.113.0/25"),
                "{\"wait\":false,\"network\":{\"egress\":\"deny-private\"}}",
                "{\"wait\":false}")) {
            team.api().header("Idempotency-Key", "net-1").body(other).post("/api/sandboxes").then().statusCode(422)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:sandplane:problem:idempotency-key-reused"))
                    .body("sandboxId", equalTo(first));
        }
        // Naming the team's default policy is another body than naming none, though the sandbox would be the same.
        String none = team.api().header("Idempotency-Key", "net-2").body("{\"wait\":false}").post("/api/sandboxes")
                .then().statusCode(202).extract().path("id");
        team.api().header("Idempotency-Key", "net-2").body("{\"wait\":false,\"network\":{\"egress\":\"deny-private\"}}")
                .post("/api/sandboxes").then().statusCode(422).body("sandboxId", equalTo(none));
        assertThat(rows.count(team.id())).isEqualTo(2);
    }

    @Test
    void theOpenApiDocumentShowsPoliciesAsTheyAreWritten() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths", org.hamcrest.Matchers.hasKey("/api/admin/teams/{team}/network"))
                .body("components.schemas.CreateSandboxRequest.properties", org.hamcrest.Matchers.hasKey("network"))
                .body("components.schemas.SandboxView.properties.network.$ref", equalTo("#/components/schemas/NetworkPolicy"))
                .body("components.schemas.EgressMode.enum", equalTo(List.of("open", "deny-private", "allow-list")))
                .body("components.schemas.Protocol.enum", equalTo(List.of("tcp", "udp", "any")))
                // Jackson writes these as strings; without their declared schemas OpenAPI would show their fields.
                .body("components.schemas.Cidr.type", equalTo("string"))
                .body("components.schemas.Ports.type", equalTo("string"));
    }

    @Test
    void aStartWithoutNetworkIsTheSameRequestAsBeforePoliciesExisted() {
        // What the version before network policies hashed for this request (its serialisation, checked against
        // that version's record): Idempotency-Keys it recorded still match their retries after an upgrade.
        String before = "{\"origin\":\"api\",\"request\":{\"idleTimeoutSeconds\":null,\"metadata\":{\"a\":\"b\"},"
                + "\"preset\":null,\"snapshotId\":null,\"ttlAction\":null,\"ttlSeconds\":600,\"version\":null,\"wait\":false,"
                + "\"wakeOnHttp\":null}}";
        CreateSandboxRequest request = new CreateSandboxRequest(null, null, null, 600L, null, null, null, Map.of("a", "b"),
                null, false);
        assertThat(requests.plan(request, "api", Optional.of("k")).requestHash()).isEqualTo(Secrets.sha256Hex(before));
    }

    @Test
    void rowsWrittenWithoutAPolicyReadAsTheDefault() throws Exception {
        // Other services' fixtures and earlier versions insert sandboxes without the columns V70 added.
        TestTeam team = TestTeam.create();
        String id = SandboxIds.newId();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                insert into sandboxes (id, team_id, provider, snapshot_id, status, ttl_seconds, ttl_action, created_at,
                                       updated_at, status_changed_at)
                values (?, ?, 'pve-lxc', 'snapshot_std4c8g1', 'STOPPED', 60, 'PAUSE', now(), now(), now())""")) {
            s.setString(1, id);
            s.setObject(2, team.id());
            s.executeUpdate();
        }
        team.api().get("/api/sandboxes/" + id).then().statusCode(200).body("network", equalTo(DENY_PRIVATE));
        assertThat(rows.find(id).networkPolicy()).isEqualTo(NetworkPolicy.DEFAULT);
    }

    @Test
    void aReplicaOfBeforeV70AdmitsWithTheTeamsDefault() throws Exception {
        // During a rolling upgrade, an older sandbox-api calls V60's signature: the start gets the team's default.
        TestTeam team = TestTeam.create().network("{\"default\":{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"192.0.2.0/24\"}]}}");
        String id = SandboxIds.newId();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                select * from sandplane_admit_start(?::uuid, now(), now() - interval '1 hour', ?::varchar, ?::varchar,
                    ?::timestamptz, ?::varchar, 'pve-lxc'::varchar, 'snapshot_std4c8g1'::varchar, '4vcpu_8gb_32gb'::varchar,
                    1::integer, 'PROVISIONING'::varchar, 600::integer, 'PAUSE'::varchar, now() + interval '10 minutes',
                    ?::integer, false::boolean, '{}'::jsonb, ?::varchar, 'ACTION'::varchar, 'sandbox-api'::varchar,
                    'start requested by an older replica'::text)""")) {
            s.setObject(1, team.id());
            s.setString(2, null);
            s.setString(3, null);
            s.setObject(4, null);
            s.setString(5, id);
            s.setObject(6, null);
            s.setString(7, null);
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
                assertThat(r.getString("outcome")).isEqualTo("ADMITTED");
                assertThat(r.getMetaData().getColumnCount()).isEqualTo(9);
            }
        }
        assertThat(rows.find(id).networkPolicy()).isEqualTo(new NetworkPolicy(EgressMode.ALLOW_LIST,
                List.of(new EgressRule(Cidr.parse("c", "192.0.2.0/24"), Protocol.TCP, null))));
    }
}
