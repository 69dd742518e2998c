package io.sandplane.devsupport.guard;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The operations a service's OpenAPI document ({@code /q/openapi}) lists, with the security scheme each needs. */
public final class OpenApiEndpoints {

    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH");

    private OpenApiEndpoints() {
    }

    /** @param scheme the name of the first security scheme the operation lists, "" when it needs none */
    public record Operation(Endpoint endpoint, String scheme) {
    }

    public static List<Operation> read(URI base) {
        JsonNode doc = GuardScenarios.send(HttpRequest.newBuilder(base.resolve("/q/openapi?format=json")).GET(),
                "/q/openapi");
        List<Operation> operations = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                String method = op.getKey().toUpperCase(Locale.ROOT);
                if (!METHODS.contains(method)) {
                    continue;
                }
                JsonNode security = op.getValue().path("security");
                String scheme = security.isArray() && !security.isEmpty() && security.get(0).fieldNames().hasNext()
                        ? security.get(0).fieldNames().next() : "";
                operations.add(new Operation(new Endpoint(method, path.getKey(),
                        op.getValue().path("summary").asText(op.getValue().path("operationId").asText())), scheme));
            }
        }
        return operations;
    }
}
