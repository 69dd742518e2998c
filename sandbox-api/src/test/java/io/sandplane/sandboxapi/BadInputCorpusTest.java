package io.sandplane.sandboxapi;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.TestTeam;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A corpus of bad requests: each must get its 4xx as application/problem+json with a detail, never
 * a 500, and must create nothing.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class BadInputCorpusTest {

    @Inject
    SandboxRows rows;

    /** {@code field} is the field error expected in {@code errors}, or null when none is. */
    record Case(String name, String method, String path, String body, Map<String, String> headers, int status,
            String field) {
    }

    private static final class Corpus {
        final List<Case> cases = new ArrayList<>();

        Corpus add(String name, String method, String path, String body, int status, String field) {
            cases.add(new Case(name, method, path, body, Map.of(), status, field));
            return this;
        }

        Corpus add(String name, String method, String path, String body, Map<String, String> headers, int status,
                String field) {
            cases.add(new Case(name, method, path, body, headers, status, field));
            return this;
        }

        Corpus start(String name, String body, String field) {
            return add(name, "POST", "/api/sandboxes", body, 400, field);
        }
    }

    private static String repeat(String s, int n) {
        return s.repeat(n);
    }

    private static String metadataOf(int entries, int valueLength) {
        StringBuilder json = new StringBuilder("{\"metadata\":{");
        for (int i = 0; i < entries; i++) {
            json.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"").append("v".repeat(valueLength)).append('"');
        }
        return json.append("}}").toString();
    }

    private static String allowList(String entries) {
        return "{\"network\":{\"egress\":\"allow-list\",\"allow\":[" + entries + "]}}";
    }

    private List<Case> corpus(String running, String foreignTeamSlug) {
        String sbx = "/api/sandboxes/" + running;
        Corpus c = new Corpus()
                // Start: malformed or mistyped JSON
                .start("malformed JSON", "{", null)
                .start("array instead of object", "[]", null)
                .start("string instead of object", "\"start\"", null)
                .start("empty body", "", "body")
                .start("JSON null", "null", "body")
                .start("unknown member", "{\"flavour\":\"large\"}", "flavour")
                .start("ttlSeconds as string", "{\"ttlSeconds\":\"60\"}", "ttlSeconds")
                .start("ttlSeconds fractional", "{\"ttlSeconds\":1.5}", "ttlSeconds")
                .start("ttlSeconds beyond int", "{\"ttlSeconds\":99999999999}", "ttlSeconds")
                .start("ttlSeconds negative", "{\"ttlSeconds\":-1}", "ttlSeconds")
                .start("ttlSeconds zero", "{\"ttlSeconds\":0}", "ttlSeconds")
                .start("ttlSeconds above the maximum", "{\"ttlSeconds\":86401}", "ttlSeconds")
                .start("ttlAction unknown", "{\"ttlAction\":\"explode\"}", "ttlAction")
                .start("ttlAction upper-case", "{\"ttlAction\":\"PAUSE\"}", "ttlAction")
                .start("ttlAction as number", "{\"ttlAction\":1}", "ttlAction")
                .start("idleTimeoutSeconds too short", "{\"idleTimeoutSeconds\":5}", "idleTimeoutSeconds")
                .start("wakeOnHttp as string", "{\"wakeOnHttp\":\"yes\"}", "wakeOnHttp")
                .start("wakeOnHttp as number", "{\"wakeOnHttp\":1}", "wakeOnHttp")
                .start("wait as string", "{\"wait\":\"false\"}", "wait")
                .start("duplicate member", "{\"ttlSeconds\":60,\"ttlSeconds\":70}", null)
                .start("trailing garbage", "{} x", null)
                // Start: metadata
                .start("metadata not an object", "{\"metadata\":\"x\"}", "metadata")
                .start("metadata value a number", "{\"metadata\":{\"a\":1}}", "metadata.a")
                .start("metadata value null", "{\"metadata\":{\"a\":null}}", "metadata.a")
                .start("metadata value an object", "{\"metadata\":{\"a\":{}}}", "metadata.a")
                .start("metadata key with spaces", "{\"metadata\":{\"bad key!\":\"v\"}}", "metadata.bad key!")
                .start("metadata key too long", "{\"metadata\":{\"" + repeat("k", 64) + "\":\"v\"}}", "metadata." + repeat("k", 64).substring(0, 64))
                .start("metadata empty key", "{\"metadata\":{\"\":\"v\"}}", "metadata.")
                .start("metadata value too long", "{\"metadata\":{\"a\":\"" + repeat("v", 513) + "\"}}", "metadata.a")
                .start("metadata value with control character", "{\"metadata\":{\"a\":\"x\\u0001y\"}}", "metadata.a")
                .start("metadata too many entries", metadataOf(33, 1), "metadata")
                .start("metadata too large", metadataOf(10, 500), "metadata")
                // Start: snapshot and preset
                .start("snapshotId malformed", "{\"snapshotId\":\"snap!\"}", "snapshotId")
                .start("snapshotId unknown", "{\"snapshotId\":\"snapshot_doesnotexist\"}", "snapshotId")
                .start("snapshotId unknown unified", "{\"snapshotId\":\"pvelxc_9vcpu_1gb_1gb_v1\"}", "snapshotId")
                .start("snapshotId of an unconfigured provider", "{\"snapshotId\":\"morph_4vcpu_8gb_32gb_v1\"}", "snapshotId")
                .start("snapshotId legacy with unknown template", "{\"snapshotId\":\"pve_4vcpu_8gb_32gb_1234\"}", "snapshotId")
                .start("snapshotId overlong", "{\"snapshotId\":\"snapshot_" + repeat("a", 200) + "\"}", "snapshotId")
                .start("snapshotId as number", "{\"snapshotId\":5}", "snapshotId")
                .start("snapshotId and preset", "{\"snapshotId\":\"snapshot_std4c8g1\",\"preset\":\"4vcpu_8gb_32gb\"}", "snapshotId")
                .start("preset malformed", "{\"preset\":\"Big\"}", "preset")
                .start("preset unknown", "{\"preset\":\"99vcpu_1gb_1gb\"}", "preset")
                .start("version without preset", "{\"version\":1}", "version")
                .start("version zero", "{\"preset\":\"4vcpu_8gb_32gb\",\"version\":0}", "version")
                .start("version unknown", "{\"preset\":\"4vcpu_8gb_32gb\",\"version\":99}", "version")
                // Start: network policy
                .start("network not an object", "{\"network\":\"open\"}", "network")
                .start("network without egress", "{\"network\":{}}", "network.egress")
                .start("network egress unknown", "{\"network\":{\"egress\":\"closed\"}}", "network.egress")
                .start("network egress upper-case", "{\"network\":{\"egress\":\"DENY-PRIVATE\"}}", "network.egress")
                .start("network egress as number", "{\"network\":{\"egress\":1}}", "network.egress")
                .start("network unknown member", "{\"network\":{\"egress\":\"open\",\"ingress\":\"x\"}}", "network.ingress")
                .start("network allow with deny-private", "{\"network\":{\"egress\":\"deny-private\",\"allow\":[]}}", "network.allow")
                .start("network allow-list without allow", "{\"network\":{\"egress\":\"allow-list\"}}", "network.allow")
                .start("network allow not an array", allowList("{\"cidr\":\"1.2.3.4\"}").replace("[", "").replace("]", ""), "network.allow")
                .start("network allow entry null", allowList("null"), "network.allow[0]")
                .start("network allow entry a string", allowList("\"1.2.3.4\""), "network.allow[0]")
                .start("network allow entry unknown member", allowList("{\"cidr\":\"1.2.3.4\",\"port\":\"443\"}"), "network.allow[0].port")
                .start("network cidr missing", allowList("{\"ports\":\"443\"}"), "network.allow[0].cidr")
                .start("network cidr empty", allowList("{\"cidr\":\"\"}"), "network.allow[0].cidr")
                .start("network cidr as number", allowList("{\"cidr\":10}"), "network.allow[0].cidr")
                .start("network cidr with host bits set", allowList("{\"cidr\":\"8.8.8.8\"},{\"cidr\":\"203.0.113.1/24\"}"), "network.allow[1].cidr")
                .start("network cidr prefix /33", allowList("{\"cidr\":\"203.0.113.0/33\"}"), "network.allow[0].cidr")
                .start("network cidr prefix with leading zero", allowList("{\"cidr\":\"203.0.113.0/024\"}"), "network.allow[0].cidr")
                .start("network cidr with leading zeros", allowList("{\"cidr\":\"203.000.113.0/24\"}"), "network.allow[0].cidr")
                .start("network cidr IPv4-mapped IPv6", allowList("{\"cidr\":\"::ffff:203.0.113.1\"}"), "network.allow[0].cidr")
                .start("network cidr with a zone", allowList("{\"cidr\":\"fe80::1%eth0\"}"), "network.allow[0].cidr")
                .start("network cidr IPv6 with two gaps", allowList("{\"cidr\":\"2001::1::/64\"}"), "network.allow[0].cidr")
                .start("network cidr a name", allowList("{\"cidr\":\"metadata.google.internal\"}"), "network.allow[0].cidr")
                .start("network cidr garbage", allowList("{\"cidr\":\"203.0.113.0/24; DROP\"}"), "network.allow[0].cidr")
                .start("network protocol unknown", allowList("{\"cidr\":\"1.2.3.4\",\"protocol\":\"icmp\"}"), "network.allow[0].protocol")
                .start("network ports zero", allowList("{\"cidr\":\"1.2.3.4\",\"ports\":\"0\"}"), "network.allow[0].ports")
                .start("network ports above 65535", allowList("{\"cidr\":\"1.2.3.4\",\"ports\":\"65536\"}"), "network.allow[0].ports")
                .start("network ports range descending", allowList("{\"cidr\":\"1.2.3.4\",\"ports\":\"9000-8000\"}"), "network.allow[0].ports")
                .start("network ports as number", allowList("{\"cidr\":\"1.2.3.4\",\"ports\":443}"), "network.allow[0].ports")
                .start("network ports with spaces", allowList("{\"cidr\":\"1.2.3.4\",\"ports\":\"80, 443\"}"), "network.allow[0].ports")
                .start("network ports over PVE's 15", allowList("{\"cidr\":\"1.2.3.4\",\"ports\":\"1-2,3-4,5-6,7-8,9-10,11-12,13-14,15-16\"}"), "network.allow[0].ports")
                .start("network ports with protocol any", allowList("{\"cidr\":\"1.2.3.4\",\"protocol\":\"any\",\"ports\":\"80\"}"), "network.allow[0].ports")
                .start("network too many entries", allowList(String.join(",", java.util.Collections.nCopies(65, "{\"cidr\":\"1.2.3.4\"}"))), "network.allow")
                // Start: headers
                .add("Idempotency-Key too long", "POST", "/api/sandboxes", "{}", Map.of("Idempotency-Key", repeat("k", 256)), 400, "Idempotency-Key")
                .add("Idempotency-Key with a space", "POST", "/api/sandboxes", "{}", Map.of("Idempotency-Key", "a b"), 400, "Idempotency-Key")
                .add("text/plain body", "POST", "/api/sandboxes", "{}", Map.of("Content-Type", "text/plain"), 415, null)
                // TTL
                .add("ttl negative", "POST", sbx + "/ttl", "{\"ttlSeconds\":-5}", 400, "ttlSeconds")
                .add("ttl as string", "POST", sbx + "/ttl", "{\"ttlSeconds\":\"1h\"}", 400, "ttlSeconds")
                .add("ttl unknown member", "POST", sbx + "/ttl", "{\"seconds\":60}", 400, "seconds")
                .add("ttl above the maximum", "POST", sbx + "/ttl", "{\"ttlSeconds\":100000}", 400, "ttlSeconds")
                // Exec
                .add("exec without command", "POST", sbx + "/exec", "{}", 400, "command")
                .add("exec blank command", "POST", sbx + "/exec", "{\"command\":\"  \"}", 400, "command")
                .add("exec command not a string", "POST", sbx + "/exec", "{\"command\":[\"ls\"]}", 400, "command")
                .add("exec timeout zero", "POST", sbx + "/exec", "{\"command\":\"ls\",\"timeoutMs\":0}", 400, "timeoutMs")
                .add("exec timeout too long", "POST", sbx + "/exec", "{\"command\":\"ls\",\"timeoutMs\":3600001}", 400, "timeoutMs")
                .add("exec without body", "POST", sbx + "/exec", "", 400, "body")
                .add("exec command with NUL", "POST", sbx + "/exec", "{\"command\":\"echo a\\u0000b\"}", 400, "command")
                .add("exec command over 256 KiB of UTF-8", "POST", sbx + "/exec",
                        "{\"command\":\"echo " + repeat("\u20ac", 90_000) + "\"}", 400, "command")
                // Services
                .add("expose port zero", "POST", sbx + "/services", "{\"port\":0}", 400, "port")
                .add("expose port too high", "POST", sbx + "/services", "{\"port\":70000}", 400, "port")
                .add("expose without port", "POST", sbx + "/services", "{\"name\":\"web\"}", 400, "port")
                .add("expose bad name", "POST", sbx + "/services", "{\"port\":8080,\"name\":\"Bad_Name\"}", 400, "name")
                .add("expose unknown auth mode", "POST", sbx + "/services", "{\"port\":8080,\"authMode\":\"secret\"}", 400, "authMode")
                .add("hide bad name", "DELETE", sbx + "/services/x_y", null, 400, "name")
                .add("hide without name", "DELETE", sbx + "/services", null, 400, "name")
                // Ids
                .add("id not an id", "GET", "/api/sandboxes/not-an-id", null, 400, "id")
                .add("id upper-case", "GET", "/api/sandboxes/sbx_AAAAAAAAAAAAAAAAAAAA", null, 400, "id")
                .add("id with digit 1", "GET", "/api/sandboxes/sbx_1aaaaaaaaaaaaaaaaaaa", null, 400, "id")
                .add("id that does not exist", "GET", "/api/sandboxes/sbx_aaaaaaaaaaaaaaaaaaaa", null, 404, null)
                .add("command on a bad id", "POST", "/api/sandboxes/nope/stop", null, 400, "id")
                .add("access token of a bad id", "POST", "/api/sandboxes/sbx_short/access-token", null, 400, "id")
                .add("access token with GET", "GET", sbx + "/access-token", null, 405, null)
                // Listing
                .add("cursor garbage", "GET", "/api/sandboxes?cursor=!!!", null, 400, "cursor")
                .add("cursor of another shape", "GET", "/api/sandboxes?cursor=aGVsbG8", null, 400, "cursor")
                .add("limit zero", "GET", "/api/sandboxes?limit=0", null, 400, "limit")
                .add("limit too large", "GET", "/api/sandboxes?limit=1000", null, 400, "limit")
                .add("limit not a number", "GET", "/api/sandboxes?limit=ten", null, 400, "limit")
                .add("status unknown", "GET", "/api/sandboxes?status=sleeping", null, 400, "status")
                .add("metadata filter without value", "GET", "/api/sandboxes?metadata=env", null, 400, "metadata")
                // Events
                .add("events after negative", "GET", sbx + "/events?after=-1", null, 400, "after")
                .add("events after not a number", "GET", sbx + "/events?after=x", null, 400, "after")
                .add("stream with bad Last-Event-ID", "GET", sbx + "/events", null,
                        Map.of("Accept", "text/event-stream", "Last-Event-ID", "abc"), 400, "Last-Event-ID")
                // cmux facade
                .add("cmux start without teamSlugOrId", "POST", "/api/sandboxes/start", "{}", 400, "teamSlugOrId")
                .add("cmux start for another team", "POST", "/api/sandboxes/start", "{\"teamSlugOrId\":\"" + foreignTeamSlug + "\"}", 403, null)
                .add("cmux start malformed", "POST", "/api/sandboxes/start", "{\"teamSlugOrId\":", 400, null)
                .add("cmux start ttlSeconds as string", "POST", "/api/sandboxes/start", "{\"teamSlugOrId\":\"x\",\"ttlSeconds\":\"1\"}", 400, "ttlSeconds")
                .add("cmux resume for another team", "POST", sbx + "/resume?teamSlugOrId=" + foreignTeamSlug, null, 403, null)
                // Routing
                .add("unknown route", "GET", "/api/nope", null, 404, null)
                .add("method not allowed", "PUT", "/api/sandboxes", "{}", 405, null);
        return c.cases;
    }

    private List<Case> adminCorpus() {
        return new Corpus()
                .add("team slug invalid", "POST", "/api/admin/teams", "{\"slug\":\"Bad Slug\",\"name\":\"x\"}", 400, "slug")
                .add("team without name", "POST", "/api/admin/teams", "{\"slug\":\"ok-slug\"}", 400, "name")
                .add("team quota negative", "POST", "/api/admin/teams", "{\"slug\":\"ok-slug\",\"name\":\"x\",\"quotas\":{\"startsPerHour\":-1}}", 400, "quotas.startsPerHour")
                .add("quotas not an object", "PUT", "/api/admin/teams/unknown-team/quotas", "[1]", 400, null)
                .add("quotas empty", "PUT", "/api/admin/teams/unknown-team/quotas", "{}", 400, "body")
                .add("network settings empty", "PUT", "/api/admin/teams/{team}/network", "{}", 400, "body")
                .add("network settings without body", "PUT", "/api/admin/teams/{team}/network", "", 400, "body")
                .add("network settings not an object", "PUT", "/api/admin/teams/{team}/network", "[1]", 400, null)
                .add("network settings unknown member", "PUT", "/api/admin/teams/{team}/network", "{\"defaults\":{}}", 400, "defaults")
                .add("network allowedEgress a string", "PUT", "/api/admin/teams/{team}/network", "{\"allowedEgress\":\"open\"}", 400, "allowedEgress")
                .add("network allowedEgress empty", "PUT", "/api/admin/teams/{team}/network", "{\"allowedEgress\":[]}", 400, "allowedEgress")
                .add("network allowedEgress unknown", "PUT", "/api/admin/teams/{team}/network", "{\"allowedEgress\":[\"deny-private\",\"all\"]}", 400, "allowedEgress[1]")
                .add("network default not allowed", "PUT", "/api/admin/teams/{team}/network", "{\"default\":{\"egress\":\"open\"}}", 400, "default.egress")
                .add("network default invalid", "PUT", "/api/admin/teams/{team}/network",
                        "{\"default\":{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"10.0.0.1/8\"}]}}", 400, "default.allow[0].cidr")
                .add("revoke a key id that is no UUID", "DELETE", "/api/admin/teams/{team}/keys/not-a-uuid", null, 400, "keyId")
                .cases;
    }

    private static Response send(RequestSpecification spec, Case c) {
        Map<String, String> headers = new LinkedHashMap<>(c.headers());
        spec = spec.contentType(headers.getOrDefault("Content-Type", "application/json"));
        headers.remove("Content-Type");
        spec = spec.headers(headers);
        if (c.body() != null) {
            spec = spec.body(c.body());
        }
        return spec.request(c.method(), c.path());
    }

    @Test
    void everyBadRequestIsA4xxProblemAndCreatesNothing() {
        TestTeam team = TestTeam.create();
        TestTeam other = TestTeam.create();
        String running = rows.insert(team.id(), SandboxStatus.RUNNING);
        List<Case> cases = new ArrayList<>(corpus(running, other.slug()));
        cases.addAll(adminCorpus().stream().map(c -> new Case(c.name(), c.method(), c.path().replace("{team}", team.slug()),
                c.body(), c.headers(), c.status(), c.field())).toList());

        Set<String> distinct = new HashSet<>();
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            distinct.add(c.method() + " " + c.path() + " " + c.body() + " " + c.headers());
            boolean admin = c.path().startsWith("/api/admin");
            RequestSpecification spec = given().header("Authorization", admin ? TestTeam.OPERATOR : "Bearer " + team.key());
            Response r = send(spec, c);
            String why = check(c, r);
            if (why != null) {
                failures.add(c.name() + ": " + why + " — " + r.asString());
            }
        }
        assertThat(failures).isEmpty();
        assertThat(distinct).hasSizeGreaterThanOrEqualTo(50);
        assertThat(cases).hasSizeGreaterThanOrEqualTo(50);
        // Only the running row inserted above exists: no bad start made anything.
        assertThat(rows.count(team.id())).isEqualTo(1);
        // No bad change of the team's network settings changed them.
        given().header("Authorization", TestTeam.OPERATOR).get("/api/admin/teams/" + team.slug()).then().statusCode(200)
                .body("network.default.egress", org.hamcrest.Matchers.equalTo("deny-private"))
                .body("network.allowedEgress", org.hamcrest.Matchers.equalTo(List.of("deny-private", "allow-list")));
    }

    private static String check(Case c, Response r) {
        if (r.statusCode() != c.status()) {
            return "expected " + c.status() + ", got " + r.statusCode();
        }
        if (!r.contentType().startsWith("application/problem+json")) {
            return "content type " + r.contentType();
        }
        if (r.jsonPath().getInt("status") != c.status() || r.jsonPath().getString("type") == null
                || r.jsonPath().getString("title") == null || r.jsonPath().getString("detail") == null) {
            return "incomplete problem";
        }
        if (r.asString().contains("Exception") || r.asString().contains("\tat ")) {
            return "leaks internals";
        }
        if (c.field() != null) {
            List<String> fields = r.jsonPath().getList("errors.field");
            if (fields == null || !fields.contains(c.field())) {
                return "expected a field error on " + c.field() + ", got " + fields;
            }
        }
        return null;
    }
}
