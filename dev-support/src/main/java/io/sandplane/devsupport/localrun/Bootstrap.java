package io.sandplane.devsupport.localrun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Makes sure a team {@code local} and a working API key for it exist, through the operator API:
 * a key saved by an earlier run is reused while it still works, else a new one is made.
 */
final class Bootstrap {

    static final String TEAM = "local";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final String apiUrl;
    private final LocalSecrets secrets;

    Bootstrap(String apiUrl, LocalSecrets secrets) {
        this.apiUrl = apiUrl;
        this.secrets = secrets;
    }

    String teamApiKey() {
        String saved = secrets.teamApiKey();
        if (saved != null && send("GET", "/api/sandboxes?limit=1", "Bearer " + saved, null).statusCode() == 200) {
            return saved;
        }
        String operator = "Bearer " + secrets.operatorToken();
        HttpResponse<String> team = send("GET", "/api/admin/teams/" + TEAM, operator, null);
        if (team.statusCode() == 404) {
            team = send("POST", "/api/admin/teams", operator, "{\"slug\":\"" + TEAM + "\",\"name\":\"Local team\"}");
        }
        expect(team, "find or create the team '" + TEAM + "'", 200, 201);
        HttpResponse<String> key = send("POST", "/api/admin/teams/" + TEAM + "/keys", operator, "{\"name\":\"local run\"}");
        expect(key, "create an API key", 200, 201);
        String secret = field(key.body(), "key");
        secrets.teamApiKey(secret);
        return secret;
    }

    private HttpResponse<String> send(String method, String path, String authorization, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("sandbox-api did not answer " + method + " " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void expect(HttpResponse<String> response, String what, int... statuses) {
        for (int status : statuses) {
            if (response.statusCode() == status) {
                return;
            }
        }
        throw new IllegalStateException("could not " + what + ": HTTP " + response.statusCode() + " " + response.body());
    }

    private static String field(String json, String name) {
        try {
            JsonNode value = JSON.readTree(json).get(name);
            if (value == null || !value.isTextual()) {
                throw new IllegalStateException("no '" + name + "' in " + json);
            }
            return value.asText();
        } catch (IOException e) {
            throw new IllegalStateException("unreadable answer: " + json, e);
        }
    }
}
