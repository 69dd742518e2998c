package io.sandplane.simulator.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The facts of PVE's API schema for every endpoint the simulator implements, derived from the
 * PVE 9.1 api-viewer data into {@code pve-schema.json} (see {@code tools/derive-schema.py}).
 */
public final class ApiSchema {

    private static final String REST_OF_PATH = "{cidr}";
    private final Map<String, Map<String, Endpoint>> endpoints = new LinkedHashMap<>();
    private final List<String[]> templates = new ArrayList<>();

    private ApiSchema(JsonNode root) {
        root.path("endpoints").properties().forEach(path -> {
            Map<String, Endpoint> methods = new LinkedHashMap<>();
            path.getValue().properties().forEach(m -> methods.put(m.getKey(),
                    new Endpoint(path.getKey(), m.getKey(), m.getValue().path("name").asText(),
                            m.getValue().path("parameters"), m.getValue().path("returns"))));
            endpoints.put(path.getKey(), methods);
            templates.add(path.getKey().substring(1).split("/"));
        });
        compilePatterns(root);
    }

    /** Every Perl pattern of the schema must work in Java: checked at load, not on a request. */
    private static void compilePatterns(JsonNode node) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("pattern") && e.getValue().isTextual()) {
                    ParameterValidator.pattern(e.getValue().asText());
                } else {
                    compilePatterns(e.getValue());
                }
            });
        } else if (node.isArray()) {
            node.forEach(ApiSchema::compilePatterns);
        }
    }

    public static ApiSchema load(ObjectMapper mapper) {
        try (InputStream in = ApiSchema.class.getResourceAsStream("/pve-schema.json")) {
            if (in == null) {
                throw new IllegalStateException("pve-schema.json is missing from the classpath");
            }
            return new ApiSchema(mapper.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Map<String, Map<String, Endpoint>> endpoints() {
        return endpoints;
    }

    /**
     * The schema path (with {placeholders}) a concrete path falls under, and its path parameters. An
     * IP set entry's {@code {cidr}} takes the rest of the path: PVE registers it with an empty
     * fragment delimiter (API2/Firewall/IPSet.pm) because a network has a slash, so
     * {@code …/ipset/x/10.0.0.0/8} names the entry {@code 10.0.0.0/8}.
     */
    public Optional<Match> match(List<String> segments) {
        for (String[] template : templates) {
            List<String> candidate = segments;
            if (template[template.length - 1].equals(REST_OF_PATH) && segments.size() > template.length) {
                candidate = new ArrayList<>(segments.subList(0, template.length - 1));
                candidate.add(String.join("/", segments.subList(template.length - 1, segments.size())));
            }
            if (template.length != candidate.size()) {
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>();
            boolean ok = true;
            for (int i = 0; i < template.length && ok; i++) {
                String t = template[i];
                String s = candidate.get(i);
                if (t.startsWith("{")) {
                    params.put(t.substring(1, t.length() - 1), s);
                } else {
                    ok = t.equals(s);
                }
            }
            if (ok) {
                return Optional.of(new Match("/" + String.join("/", template), params));
            }
        }
        return Optional.empty();
    }

    public Optional<Endpoint> endpoint(String path, String method) {
        return Optional.ofNullable(endpoints.getOrDefault(path, Map.of()).get(method));
    }

    public record Match(String path, Map<String, String> pathParams) {
    }

    /** One method of one path: its parameter schema and its return schema. */
    public record Endpoint(String path, String method, String name, JsonNode parameters, JsonNode returns) {

        public JsonNode properties() {
            return parameters.path("properties");
        }
    }
}
