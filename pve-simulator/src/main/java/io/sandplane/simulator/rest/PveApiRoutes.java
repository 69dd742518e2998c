package io.sandplane.simulator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sandplane.simulator.config.SimulatorConfig;
import io.sandplane.simulator.schema.ApiSchema;
import io.sandplane.simulator.schema.ParameterValidator;
import io.sandplane.simulator.service.Call;
import io.sandplane.simulator.service.CallLog;
import io.sandplane.simulator.service.ClusterOperations;
import io.sandplane.simulator.service.Fault;
import io.sandplane.simulator.service.Faults;
import io.sandplane.simulator.service.FirewallOperations;
import io.sandplane.simulator.service.GuestOperations;
import io.sandplane.simulator.service.PowerAction;
import io.sandplane.simulator.service.PowerOperations;
import io.sandplane.simulator.service.GuestType;
import io.sandplane.simulator.service.Latencies;
import io.sandplane.simulator.service.PveException;
import io.sandplane.simulator.service.RecordedCall;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * PVE's HTTP API under {@code /api2/json}: token auth, parameter parsing and schema validation,
 * fault injection, dispatch to the operations, and PVE's response format (data, errors, the
 * message in the reason phrase). Plain Vert.x routes, because PVE's error format lives in the
 * HTTP reason phrase, which JAX-RS cannot set.
 */
@ApplicationScoped
public class PveApiRoutes {

    private static final Logger LOG = Logger.getLogger(PveApiRoutes.class);
    private static final String PREFIX = "/api2/json";
    private static final long BODY_LIMIT = 16L * 1024 * 1024;
    private static final Pattern AUTH = Pattern.compile("(?:^|\\s)PVEAPIToken(?:=| )([^;]*)");
    private static final Pattern VMID_IN_PATH = Pattern.compile("/(lxc|qemu)/(\\d+)");

    private final ApiSchema schema;
    private final ObjectMapper mapper;
    private final Vertx vertx;
    private final Faults faults;
    private final Latencies latencies;
    private final CallLog calls;
    private final ErrorStyle errorStyle;
    private final Map<String, String> tokens = new HashMap<>();
    private final Map<String, Map<String, Function<Call, Object>>> handlers = new HashMap<>();

    public PveApiRoutes(ApiSchema schema, ObjectMapper mapper, Vertx vertx, Faults faults, Latencies latencies,
                        CallLog calls, ErrorStyle errorStyle, SimulatorConfig config, ClusterOperations cluster,
                        GuestOperations guests, PowerOperations power, FirewallOperations firewall) {
        this.schema = schema;
        this.mapper = mapper;
        this.vertx = vertx;
        this.faults = faults;
        this.latencies = latencies;
        this.calls = calls;
        this.errorStyle = errorStyle;
        for (String token : config.tokens()) {
            int eq = token.lastIndexOf('=');
            if (eq <= 0 || !token.substring(0, eq).matches("[^\\s:/]+@[A-Za-z][A-Za-z0-9.\\-_]+![A-Za-z][A-Za-z0-9.\\-_]+")) {
                throw new IllegalArgumentException("SIM_TOKENS: '" + token.replaceAll("=.*", "=…")
                        + "' is not user@realm!tokenid=secret");
            }
            tokens.put(token.substring(0, eq), token.substring(eq + 1));
        }
        register(cluster, guests, power);
        register(firewall);
    }

    private void on(String method, String path, Function<Call, Object> handler) {
        if (schema.endpoint(path, method).isEmpty()) {
            throw new IllegalStateException("no schema for " + method + " " + path);
        }
        handlers.computeIfAbsent(path, p -> new HashMap<>()).put(method, handler);
    }

    private void register(ClusterOperations cluster, GuestOperations guests, PowerOperations power) {
        on("GET", "/version", cluster::version);
        on("GET", "/cluster/nextid", cluster::nextId);
        on("GET", "/cluster/resources", cluster::resources);
        on("GET", "/nodes", cluster::nodes);
        on("GET", "/nodes/{node}/status", cluster::nodeStatus);
        on("GET", "/nodes/{node}/dns", cluster::dns);
        on("GET", "/nodes/{node}/storage", cluster::storage);
        on("GET", "/nodes/{node}/tasks", cluster::tasks);
        on("DELETE", "/nodes/{node}/tasks/{upid}", cluster::stopTask);
        on("GET", "/nodes/{node}/tasks/{upid}/status", cluster::taskStatus);
        on("GET", "/nodes/{node}/tasks/{upid}/log", cluster::taskLog);
        for (GuestType type : GuestType.values()) {
            String base = "/nodes/{node}/" + type.apiName();
            String guest = base + "/{vmid}";
            on("GET", base, c -> guests.list(c, type));
            on("POST", base, c -> guests.create(c, type));
            on("DELETE", guest, c -> guests.delete(c, type));
            on("POST", guest + "/clone", c -> guests.clone(c, type));
            on("GET", guest + "/config", c -> typedConfig(guests.getConfig(c, type), guest + "/config"));
            on("PUT", guest + "/config", c -> guests.putConfig(c, type));
            on("POST", guest + "/template", c -> guests.template(c, type));
            on("GET", guest + "/status/current", c -> guests.current(c, type));
            for (PowerAction action : PowerAction.COMMON) {
                on("POST", guest + "/status/" + action.pathSegment(), c -> power.power(c, type, action));
            }
            on("GET", guest + "/snapshot", c -> guests.snapshots(c, type));
            on("POST", guest + "/snapshot", c -> guests.snapshot(c, type));
            on("DELETE", guest + "/snapshot/{snapname}", c -> guests.deleteSnapshot(c, type));
            on("GET", guest + "/snapshot/{snapname}/config", c -> typedSnapshotConfig(guests.snapshotConfig(c, type), guest));
            on("PUT", guest + "/snapshot/{snapname}/config", c -> guests.updateSnapshotConfig(c, type));
            on("POST", guest + "/snapshot/{snapname}/rollback", c -> guests.rollback(c, type));
        }
        on("GET", "/nodes/{node}/lxc/{vmid}/interfaces", guests::interfaces);
        on("POST", "/nodes/{node}/qemu/{vmid}/config", guests::postConfig);
        on("POST", "/nodes/{node}/qemu/{vmid}/status/reset", c -> power.power(c, GuestType.QEMU, PowerAction.RESET));
        on("POST", "/nodes/{node}/qemu/{vmid}/agent/ping", guests::agentPing);
        on("GET", "/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces", guests::agentInterfaces);
    }

    private void register(FirewallOperations fw) {
        List<FirewallOperations.Scope> scopes = List.of(FirewallOperations.Scope.CLUSTER,
                new FirewallOperations.Scope(GuestType.LXC), new FirewallOperations.Scope(GuestType.QEMU));
        for (FirewallOperations.Scope scope : scopes) {
            String base = scope.path();
            on("GET", base + "/options", c -> fw.options(c, scope));
            on("PUT", base + "/options", c -> fw.setOptions(c, scope));
            on("GET", base + "/ipset", c -> fw.ipsets(c, scope));
            on("POST", base + "/ipset", c -> fw.createIpset(c, scope));
            on("GET", base + "/ipset/{name}", c -> fw.ipset(c, scope));
            on("POST", base + "/ipset/{name}", c -> fw.addEntry(c, scope));
            on("DELETE", base + "/ipset/{name}", c -> fw.deleteIpset(c, scope));
            on("GET", base + "/ipset/{name}/{cidr}", c -> fw.entry(c, scope));
            on("PUT", base + "/ipset/{name}/{cidr}", c -> fw.updateEntry(c, scope));
            on("DELETE", base + "/ipset/{name}/{cidr}", c -> fw.removeEntry(c, scope));
            // a guest's rules, or in the datacenter those of a security group
            String rules = scope.guest() == null ? base + "/groups/{group}" : base + "/rules";
            on("GET", rules, c -> fw.rules(c, scope));
            on("POST", rules, c -> fw.createRule(c, scope));
            on("GET", rules + "/{pos}", c -> fw.rule(c, scope));
            on("PUT", rules + "/{pos}", c -> fw.updateRule(c, scope));
            on("DELETE", rules + "/{pos}", c -> fw.deleteRule(c, scope));
        }
        on("GET", "/cluster/firewall/groups", fw::groups);
        on("POST", "/cluster/firewall/groups", fw::createGroup);
        on("DELETE", "/cluster/firewall/groups/{group}", fw::deleteGroup);
    }

    /** Config values typed as PVE's schema declares them (integers and booleans as numbers). */
    private Object typedConfig(Map<String, String> conf, String path) {
        JsonNode props = schema.endpoint(path, "GET").orElseThrow().returns().path("properties");
        Map<String, Object> out = new LinkedHashMap<>();
        conf.forEach((k, v) -> out.put(k, typed(ParameterValidator.propertySchema(props, k), v)));
        return out;
    }

    private Object typedSnapshotConfig(Object conf, String guestPath) {
        JsonNode props = schema.endpoint(guestPath + "/config", "GET").orElseThrow().returns().path("properties");
        Map<String, Object> out = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) conf;
        m.forEach((k, v) -> out.put(k, v instanceof String s ? typed(ParameterValidator.propertySchema(props, k), s) : v));
        return out;
    }

    static Object typed(JsonNode schema, String value) {
        if (schema == null) {
            return value;
        }
        try {
            return switch (schema.path("type").asText("string")) {
                case "integer", "boolean" -> Long.parseLong(value);
                case "number" -> Double.parseDouble(value);
                default -> value;
            };
        } catch (NumberFormatException e) {
            return value;
        }
    }

    void init(@Observes Router router) {
        String api = "^/api2/json(/.*)?$";
        // GET/DELETE: PVE refuses a body there without reading it; parameters come from the query
        router.route().pathRegex(api).method(HttpMethod.GET).method(HttpMethod.DELETE).method(HttpMethod.HEAD).order(-101)
                .handler(ctx -> {
                    String length = ctx.request().getHeader("Content-Length");
                    boolean body = ctx.request().getHeader("Transfer-Encoding") != null
                            || (length != null && !length.equals("0"));
                    handle(ctx, null, body);
                });
        // POST/PUT: the raw body, parsed here like PVE does (Vert.x's form decoder rejects what PVE accepts)
        router.route().pathRegex(api).order(-100).handler(ctx -> {
            Buffer body = Buffer.buffer();
            boolean[] tooLarge = {false};
            ctx.request().handler(chunk -> {
                if (body.length() + chunk.length() > BODY_LIMIT) {
                    tooLarge[0] = true;
                } else if (!tooLarge[0]) {
                    body.appendBuffer(chunk);
                }
            });
            ctx.request().endHandler(v -> {
                if (tooLarge[0]) {
                    long started = System.nanoTime();
                    String path = ctx.request().path().substring(PREFIX.length());
                    reply(ctx, started, ctx.request().method().name(), path, Map.of(), 413, "request too large",
                            PveException.die("request too large"), 0);
                } else {
                    handle(ctx, body, false);
                }
            });
            ctx.request().resume();
        });
    }

    private void handle(RoutingContext ctx, Buffer body, boolean bodyOnQueryMethod) {
        long started = System.nanoTime();
        String method = ctx.request().method().name();
        String rawPath = ctx.request().path().substring(PREFIX.length());
        List<String> segments = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                segments.add(percentDecode(s));
            }
        }
        String path = "/" + String.join("/", segments);
        Map<String, String> params = new LinkedHashMap<>();
        String user = authenticate(ctx.request().getHeader("Authorization"));
        if (user == null) {
            boolean none = ctx.request().getHeader("Authorization") == null
                    || !AUTH.matcher(ctx.request().getHeader("Authorization")).find();
            reply(ctx, started, method, path, params, 401, none ? "No ticket" : "Authentication failed!", null,
                    latencies.get("auth-failure"));
            return;
        }
        long delay = latencies.get("api");
        try {
            Optional<ApiSchema.Match> match = schema.match(segments);
            Function<Call, Object> handler = match.map(m -> handlers.getOrDefault(m.path(), Map.of()).get(method)).orElse(null);
            if (handler == null) {
                throw new PveException(501, "Method '" + method + " " + path + "' not implemented", Map.of());
            }
            ApiSchema.Endpoint endpoint = schema.endpoint(match.get().path(), method).orElseThrow();
            boolean hasBody = body != null && body.length() > 0;
            if (bodyOnQueryMethod) {
                throw new PveException(501, "Unexpected content for method '" + method + "'", Map.of());
            }
            if (hasBody) {
                params.putAll(bodyParams(ctx.request().getHeader("Content-Type"), body));
            }
            params.putAll(formDecode(ctx.request().query()));
            Map<String, String> conflicts = new LinkedHashMap<>();
            match.get().pathParams().forEach((k, v) -> {
                if (params.containsKey(k) && !params.get(k).equals(v)) {
                    conflicts.put(k, "duplicate parameter (already defined in URI) with conflicting values!");
                }
                params.put(k, v);
            });
            if (!conflicts.isEmpty()) {
                throw PveException.params(conflicts);
            }
            Map<String, String> errors = ParameterValidator.validate(endpoint, params);
            if (!errors.isEmpty()) {
                throw PveException.params(errors);
            }
            Fault fault = faults.hit(method, path).orElse(null);
            Fault taskFault = null;
            if (fault != null) {
                delay += fault.delayMs() == null ? 0 : fault.delayMs();
                switch (fault.kind()) {
                    case error -> throw new PveException(fault.status(),
                            fault.message() == null || fault.message().isEmpty() ? "simulated failure" : fault.message(), Map.of());
                    case timeout -> throw PveException.die(timeoutMessage(path));
                    case task -> taskFault = fault;
                    case delay -> {
                    }
                }
            }
            Object data = handler.apply(new Call(user, params, taskFault));
            if (data instanceof CompletionStage<?> later) {
                // an answer that waits for something (QEMU's background_delay): reply on the request's context
                Context context = vertx.getOrCreateContext();
                long d = delay;
                later.whenComplete((value, error) -> context.runOnContext(v -> {
                    if (error == null) {
                        reply(ctx, started, method, path, params, 200, null, value, d);
                    } else {
                        LOG.errorf(error, "%s %s failed", method, path);
                        reply(ctx, started, method, path, params, 500, "internal error", PveException.die("internal error"), d);
                    }
                }));
                return;
            }
            reply(ctx, started, method, path, params, 200, null, data, delay);
        } catch (PveException e) {
            reply(ctx, started, method, path, params, e.status(), e.getMessage(), e, delay);
        } catch (RuntimeException e) {
            // a simulator bug: answer like PVE does for an unexpected die, never with a stack trace
            LOG.errorf(e, "%s %s failed", method, path);
            reply(ctx, started, method, path, params, 500, "internal error: " + e.getClass().getSimpleName(),
                    PveException.die("internal error"), delay);
        }
    }

    private static String timeoutMessage(String path) {
        Matcher m = VMID_IN_PATH.matcher(path);
        if (m.find()) {
            GuestType type = GuestType.fromApiName(m.group(1));
            return "can't lock file '" + type.lockFile(Integer.parseInt(m.group(2))) + "' - got timeout";
        }
        return "cfs-lock 'file-user_cfg' error: got lock request timeout";
    }

    private String authenticate(String header) {
        if (header == null) {
            return null;
        }
        Matcher m = AUTH.matcher(header);
        if (!m.find()) {
            return null;
        }
        String value = percentDecode(m.group(1).trim());
        int eq = value.lastIndexOf('=');
        if (eq <= 0) {
            return null;
        }
        String id = value.substring(0, eq);
        String secret = tokens.get(id);
        return secret != null && java.security.MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
                value.substring(eq + 1).getBytes(StandardCharsets.UTF_8)) ? id : null;
    }

    private Map<String, String> bodyParams(String contentType, Buffer body) {
        Map<String, String> out = new LinkedHashMap<>();
        if (contentType != null && contentType.toLowerCase().startsWith("application/json")) {
            JsonNode json;
            try {
                json = mapper.readTree(body.getBytes());
            } catch (IOException e) {
                throw PveException.die("malformed JSON string, neither tag, array, object, number, string or atom");
            }
            if (json == null || !json.isObject()) {
                throw PveException.die("malformed JSON request body: expected an object");
            }
            json.properties().forEach(e -> {
                JsonNode v = e.getValue();
                if (v.isNull()) {
                    return;
                }
                if (v.isBoolean()) {
                    out.put(e.getKey(), v.asBoolean() ? "1" : "0");
                } else if (v.isArray()) {
                    List<String> items = new ArrayList<>();
                    v.forEach(i -> items.add(i.asText()));
                    out.put(e.getKey(), String.join(",", items));
                } else if (v.isValueNode()) {
                    out.put(e.getKey(), v.asText());
                } else {
                    out.put(e.getKey(), v.toString());
                }
            });
            return out;
        }
        return formDecode(body.toString(StandardCharsets.UTF_8));
    }

    /**
     * A query string or form body as PVE's HTTP server reads it: {@code &}-separated pairs, {@code +}
     * for a space, %-escapes decoded and malformed ones kept as they are; a repeated name keeps its
     * last value; pairs without a name are ignored.
     */
    static Map<String, String> formDecode(String encoded) {
        Map<String, String> out = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return out;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String name = percentDecode((eq < 0 ? pair : pair.substring(0, eq)).replace('+', ' '));
            String value = eq < 0 ? "" : percentDecode(pair.substring(eq + 1).replace('+', ' '));
            if (!name.isEmpty()) {
                out.put(name, value);
            }
        }
        return out;
    }

    private void reply(RoutingContext ctx, long started, String method, String path, Map<String, String> params, int status,
                       String message, Object data, long delayMs) {
        Runnable send = () -> {
            if (ctx.response().ended() || ctx.response().closed()) {
                return;
            }
            HttpServerResponse response = ctx.response().setStatusCode(status);
            Buffer body;
            if (status == 401) {
                body = Buffer.buffer();
            } else {
                body = Buffer.buffer(json(status, message, data));
                response.putHeader("Content-Type", "application/json;charset=UTF-8");
            }
            if (message != null) {
                // PVE: the reason phrase is the message's first line
                String first = message.lines().findFirst().orElse("").replace("\r", "");
                // Perl writes the message's UTF-8 bytes into the status line; HTTP carries them as octets
                response.setStatusMessage(first.isEmpty() ? "Error"
                        : new String(first.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
            }
            if (status >= 400 && ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) {
                // PVE closes the connection after every error
                response.putHeader("Connection", "close");
            }
            response.end(body);
            calls.add(new RecordedCall(calls.nextSeq(), Instant.now(), method, path, redact(params), status, message,
                    (System.nanoTime() - started) / 1e6));
        };
        if (delayMs > 0) {
            vertx.setTimer(delayMs, id -> send.run());
        } else {
            send.run();
        }
    }

    private static Map<String, String> redact(Map<String, String> params) {
        if (!params.containsKey("password")) {
            return params;
        }
        Map<String, String> copy = new LinkedHashMap<>(params);
        copy.put("password", "***");
        return copy;
    }

    private byte[] json(int status, String message, Object data) {
        ObjectNode root = mapper.createObjectNode();
        if (data instanceof PveException e) {
            root.putNull("data");
            if (!e.errors().isEmpty()) {
                ObjectNode errors = root.putObject("errors");
                e.errors().forEach((k, v) -> errors.put(k, v.endsWith("\n") ? v : v + "\n"));
            }
            if (errorStyle.modern()) {
                root.put("message", message.endsWith("\n") ? message : message + "\n");
            }
        } else if (data instanceof ClusterOperations.LogPage page) {
            if (page.download() != null) {
                root.put("data", page.download());
            } else {
                root.set("data", mapper.valueToTree(page.lines()));
                root.put("total", page.total());
            }
        } else {
            root.set("data", mapper.valueToTree(data));
        }
        try {
            return mapper.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Percent-decoding of a path segment or header value ('+' stays '+'). */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(ch).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    public ApiSchema schema() {
        return schema;
    }
}
