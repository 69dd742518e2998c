package io.sandplane.devsupport.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Each service's guarded endpoints against the whole {@link SpellingCorpus}, with the checks that
 * nothing happened: written once here, run in each service's own suite (in-process) and by the
 * end-to-end suite (against the packaged jars). Every check calls the service with the right
 * credential afterwards and throws {@link AssertionError} on any sign that a refused request acted.
 * The contracts are passed in ({@code ProvisionerApi.class}, …): dev-support does not depend on the
 * services' model.
 */
public final class GuardScenarios {

    /** The header of the internal token (shared-model's {@code InternalToken.HEADER}). */
    public static final String INTERNAL_TOKEN_HEADER = "X-Sandplane-Internal-Token";

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private GuardScenarios() {
    }

    /**
     * The provisioner's internal API ({@code contract}: {@code ProvisionerApi}) on a running sandbox
     * whose guest is {@code node}/{@code vmid}: exec, stop, pause, delete, guest deletion and the
     * rest, spelled every way without the token and with a wrong one. Afterwards the guest is still
     * listed and running, and the command the exec probes carried never ran.
     */
    public static String provisioner(URI base, String token, Class<?> contract, String sandboxId, String node, int vmid) {
        String marker = "spelled-exec-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> parameters = Map.of("id", sandboxId, "node", node, "vmid", Integer.toString(vmid));
        SpellingCorpus corpus = internalCorpus("provisioner", base);
        for (Endpoint endpoint : ContractEndpoints.of(contract)) {
            String body = endpoint.template().endsWith("/exec") ? "{\"command\":\"echo ran >> " + marker + "\"}" : null;
            corpus.probe(endpoint, parameters, body);
        }
        SpellingCorpus.Outcome outcome = corpus.run().assertRefused();

        Internal internal = new Internal(base, token);
        JsonNode exec = internal.call("POST", "/internal/sandboxes/" + sandboxId + "/exec",
                "{\"command\":\"test -e " + marker + " && echo ran || echo never\"}");
        if (!exec.path("stdout").asText().trim().equals("never")) {
            throw new AssertionError("a refused exec ran in sandbox " + sandboxId + ": " + exec);
        }
        JsonNode guest = null;
        for (JsonNode n : internal.call("GET", "/internal/guests", null).path("nodes")) {
            for (JsonNode g : n.path("guests")) {
                if (g.path("vmid").asInt() == vmid) {
                    guest = g;
                }
            }
        }
        if (guest == null || !guest.path("status").asText().equals("running")) {
            throw new AssertionError("the guest " + node + "/" + vmid + " of sandbox " + sandboxId
                    + " no longer runs after refused requests: " + guest);
        }
        return outcome.summary();
    }

    /**
     * The url-router's internal API ({@code contract}: {@code ServiceRoutesApi}) on a sandbox that
     * exposes {@code exposedService}: listing, exposing a new service and hiding that one. Afterwards
     * the service is still exposed and no new one is.
     */
    public static String urlRouter(URI base, String token, Class<?> contract, String sandboxId, String exposedService) {
        String fresh = "spelled-" + UUID.randomUUID().toString().substring(0, 8);
        SpellingCorpus corpus = internalCorpus("url-router", base);
        for (Endpoint endpoint : ContractEndpoints.of(contract)) {
            boolean expose = endpoint.method().equals("PUT");
            corpus.probe(endpoint, Map.of("id", sandboxId, "name", expose ? fresh : exposedService),
                    expose ? "{\"port\":5999,\"authMode\":\"public\"}" : null);
        }
        SpellingCorpus.Outcome outcome = corpus.run().assertRefused();

        Set<String> names = new TreeSet<>();
        new Internal(base, token).call("GET", "/internal/sandboxes/" + sandboxId + "/services", null)
                .forEach(s -> names.add(s.path("name").asText()));
        if (!names.contains(exposedService) || names.contains(fresh)) {
            throw new AssertionError("refused requests changed the services of " + sandboxId + ": now " + names
                    + " (" + exposedService + " must stay, " + fresh + " must not appear)");
        }
        return outcome.summary();
    }

    /**
     * The reaper's internal API ({@code contract}: {@code ReaperApi}). When the reaper runs passes
     * only on demand ({@code passesOnlyOnDemand}), its last pass is afterwards the one before.
     */
    public static String reaper(URI base, String token, Class<?> contract, boolean passesOnlyOnDemand) {
        Internal internal = new Internal(base, token);
        JsonNode before = internal.call("GET", "/internal/reaper/status", null).path("lastPass");
        SpellingCorpus corpus = internalCorpus("reaper", base);
        for (Endpoint endpoint : ContractEndpoints.of(contract)) {
            corpus.probe(endpoint, Map.of(), null);
        }
        SpellingCorpus.Outcome outcome = corpus.run().assertRefused();
        if (passesOnlyOnDemand) {
            JsonNode after = internal.call("GET", "/internal/reaper/status", null).path("lastPass");
            if (!after.equals(before)) {
                throw new AssertionError("a refused request ran a reaper pass: last pass was " + before + ", now " + after);
            }
        }
        return outcome.summary();
    }

    /**
     * The public API of sandbox-api: every operation its OpenAPI document says needs a team key,
     * without a key, with a wrong one and with the operator token; every operation that needs the
     * operator token, without it, with a wrong one and with the team's key. The team owns
     * {@code sandboxId}. Afterwards no team was created, the team, its quotas and keys are as they
     * were, and so are its sandboxes.
     */
    public static String sandboxApi(URI base, String operatorToken, String teamSlug, String teamKey, String keyId,
            String sandboxId) {
        String freshSlug = "spelled-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> parameters = Map.of("id", sandboxId, "team", teamSlug, "keyId", keyId, "name", "vscode");
        Public api = new Public(base);
        Snapshot before = Snapshot.take(api, operatorToken, teamSlug, teamKey);

        SpellingCorpus team = SpellingCorpus.against("sandbox-api (team key)", base)
                .credential("no key", Map.of())
                .credential("a wrong key", Map.of("Authorization", "Bearer spk_" + "x".repeat(40)))
                .credential("the operator token", Map.of("Authorization", "Bearer " + operatorToken));
        SpellingCorpus operator = SpellingCorpus.against("sandbox-api (operator token)", base)
                .credential("no token", Map.of())
                .credential("a wrong token", Map.of("Authorization", "Bearer not-the-operator-token"))
                .credential("a team key", Map.of("Authorization", "Bearer " + teamKey));
        int guarded = 0;
        for (OpenApiEndpoints.Operation e : OpenApiEndpoints.read(base)) {
            SpellingCorpus corpus = switch (e.scheme()) {
                case "teamKey" -> team;
                case "operatorToken" -> operator;
                default -> null;
            };
            if (corpus != null) {
                corpus.probe(e.endpoint(), parameters, publicBody(e.endpoint(), teamSlug, freshSlug));
                guarded++;
            }
        }
        if (guarded == 0) {
            throw new AssertionError("the OpenAPI document of " + base + " names no operation that needs a key");
        }
        String summary = SpellingCorpus.Outcome.assertRefused(team.run(), operator.run());

        Snapshot after = Snapshot.take(api, operatorToken, teamSlug, teamKey);
        if (after.teamSlugs().contains(freshSlug) || !after.equals(before)) {
            throw new AssertionError("refused requests changed the books: before " + before + ", after " + after);
        }
        return summary;
    }

    /** A body that would really do something if the request were let through. */
    private static String publicBody(Endpoint e, String teamSlug, String freshSlug) {
        String key = e.method() + " " + e.template();
        return switch (key) {
            case "POST /api/sandboxes" -> "{\"wait\":false}";
            case "POST /api/sandboxes/start" -> "{\"teamSlugOrId\":\"" + teamSlug + "\"}";
            case "POST /api/sandboxes/{id}/ttl" -> "{\"ttlSeconds\":60}";
            case "POST /api/sandboxes/{id}/exec" -> "{\"command\":\"true\"}";
            case "POST /api/sandboxes/{id}/services" -> "{\"port\":5999}";
            case "POST /api/admin/teams" -> "{\"slug\":\"" + freshSlug + "\",\"name\":\"Spelled\"}";
            case "PUT /api/admin/teams/{team}/quotas" -> "{\"maxLiveSandboxes\":1,\"startsPerHour\":1}";
            // A body the endpoint would take, so that only the guard can be what refuses it.
            case "PUT /api/admin/teams/{team}/network" -> "{\"allowedEgress\":[\"open\",\"deny-private\",\"allow-list\"]}";
            case "POST /api/admin/teams/{team}/keys" -> "{\"name\":\"spelled\"}";
            default -> e.method().equals("POST") || e.method().equals("PUT") ? "{}" : null;
        };
    }

    private static SpellingCorpus internalCorpus(String service, URI base) {
        return SpellingCorpus.against(service, base)
                .credential("no token", Map.of())
                .credential("a wrong token", Map.of(INTERNAL_TOKEN_HEADER, "not-the-internal-token"));
    }

    /** What refused requests to sandbox-api must leave as it was. */
    private record Snapshot(Set<String> teamSlugs, String team, Set<String> keys, Map<String, String> sandboxes) {

        static Snapshot take(Public api, String operatorToken, String teamSlug, String teamKey) {
            Set<String> slugs = new TreeSet<>();
            api.get("/api/admin/teams", operatorToken).forEach(t -> slugs.add(t.path("slug").asText()));
            JsonNode team = api.get("/api/admin/teams/" + teamSlug, operatorToken);
            String teamState = "disabled=" + team.path("disabled") + " quotas=" + team.path("quotas") + " network=" + team.path("network");
            Set<String> keys = new TreeSet<>();
            api.get("/api/admin/teams/" + teamSlug + "/keys", operatorToken)
                    .forEach(k -> keys.add(k.path("id").asText() + (k.path("revokedAt").isNull() ? "" : " revoked")));
            Map<String, String> sandboxes = new HashMap<>();
            for (JsonNode s : api.get("/api/sandboxes", teamKey).path("sandboxes")) {
                String id = s.path("id").asText();
                JsonNode services = api.get("/api/sandboxes/" + id + "/services", teamKey);
                List<String> names = new ArrayList<>();
                services.forEach(x -> names.add(x.path("name").asText()));
                sandboxes.put(id, s.path("status").asText() + " expires " + s.path("expiresAt").asText() + " services "
                        + new TreeSet<>(names));
            }
            return new Snapshot(slugs, teamState, keys, sandboxes);
        }
    }

    /** Calls to sandbox-api with a bearer token, answers that must be 200. */
    private record Public(URI base) {

        JsonNode get(String path, String bearer) {
            return send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + bearer).GET(), path);
        }
    }

    /** Calls to an internal API with the token, answers that must be 2xx. */
    private record Internal(URI base, String token) {

        JsonNode call(String method, String path, String jsonBody) {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).header(INTERNAL_TOKEN_HEADER, token)
                    .header("Content-Type", "application/json")
                    .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(jsonBody));
            return send(request, path);
        }
    }

    static JsonNode send(HttpRequest.Builder request, String path) {
        try {
            HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofMinutes(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new AssertionError(path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
