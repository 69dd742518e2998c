package io.sandplane.simulator.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks request parameters against an endpoint's schema the way PVE's JSONSchema does, with its
 * error texts. Values arrive as strings (form and query) or are rendered to strings from a JSON body.
 */
public final class ParameterValidator {

    private static final Pattern INDEXED = Pattern.compile("^([a-z]+)\\[n]$");
    private static final Pattern NAME_WITH_INDEX = Pattern.compile("^([a-z]+)(\\d+)$");
    /** PVE's is_integer and is_number. */
    private static final Pattern INTEGER = Pattern.compile("^[+-]?\\d+$");
    private static final Pattern NUMBER = Pattern.compile("^[+-]?(\\d+\\.\\d+|\\d+\\.|\\.\\d+|\\d+)([eE][+-]?\\d+)?$");
    private static final Pattern LIST_SEPARATOR = Pattern.compile("[,;\\s\\x00]+");
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    /** PVE's limits of indexed options (LXC: net0-31, mp/unused/dev 0-255; QEMU by device type). */
    private static final Map<String, Integer> INDEX_LIMITS = Map.ofEntries(
            Map.entry("net", 32), Map.entry("mp", 256), Map.entry("unused", 256), Map.entry("dev", 256),
            Map.entry("ide", 4), Map.entry("sata", 6), Map.entry("scsi", 31), Map.entry("virtio", 16),
            Map.entry("ipconfig", 32), Map.entry("hostpci", 16), Map.entry("serial", 4), Map.entry("usb", 5),
            Map.entry("parallel", 3), Map.entry("numa", 8), Map.entry("virtiofs", 10));

    public static final String NOT_IN_SCHEMA =
            "property is not defined in schema and the schema does not allow additional properties";

    private ParameterValidator() {
    }

    /** The schema of a parameter name, resolving indexed names such as {@code net0} to {@code net[n]}. */
    public static JsonNode propertySchema(JsonNode properties, String name) {
        JsonNode direct = properties.get(name);
        if (direct != null) {
            return direct;
        }
        Matcher m = NAME_WITH_INDEX.matcher(name);
        if (m.matches()) {
            JsonNode indexed = properties.get(m.group(1) + "[n]");
            String digits = m.group(2);
            if (indexed != null && (digits.equals("0") || !digits.startsWith("0"))
                    && digits.length() < 5 && Integer.parseInt(digits) < INDEX_LIMITS.getOrDefault(m.group(1), 256)) {
                return indexed;
            }
        }
        return null;
    }

    /** Names of the schema's required parameters. */
    public static List<String> required(JsonNode properties) {
        List<String> out = new ArrayList<>();
        properties.properties().forEach(p -> {
            if (!p.getValue().path("optional").asBoolean(false) && !INDEXED.matcher(p.getKey()).matches()) {
                out.add(p.getKey());
            }
        });
        return out;
    }

    /** Parameter errors by name, empty when the parameters are acceptable. */
    public static Map<String, String> validate(ApiSchema.Endpoint endpoint, Map<String, String> params) {
        Map<String, String> errors = new LinkedHashMap<>();
        JsonNode properties = endpoint.properties();
        for (Map.Entry<String, String> p : params.entrySet()) {
            JsonNode schema = propertySchema(properties, p.getKey());
            if (schema == null) {
                addError(errors, p.getKey(), NOT_IN_SCHEMA);
                continue;
            }
            String error = checkValue(p.getKey(), schema, p.getValue());
            if (error != null) {
                addError(errors, p.getKey(), error);
            }
        }
        for (String name : required(properties)) {
            if (!params.containsKey(name)) {
                addError(errors, name, "property is missing and it is not optional");
            }
        }
        // PVE's "requires": a present parameter that needs another one (e.g. force needs delete)
        for (String name : params.keySet()) {
            JsonNode schema = propertySchema(properties, name);
            if (schema != null && schema.path("requires").isTextual()
                    && !params.containsKey(schema.path("requires").asText())) {
                addError(errors, schema.path("requires").asText(), "missing property - '" + name + "' requires this property");
            }
        }
        return errors;
    }

    /** PVE's add_error: a second error for the same key is joined with a literal backslash-n. */
    private static void addError(Map<String, String> errors, String key, String message) {
        errors.merge(key, message, (a, b) -> a + "\\n" + b);
    }

    /**
     * The error for one value, or null. The order of the checks is PVE's check_prop: type, then
     * format, pattern, maxLength, minLength, minimum/maximum, enum.
     */
    static String checkValue(String name, JsonNode schema, String value) {
        String type = schema.path("type").asText("string");
        switch (type) {
            case "boolean" -> {
                if (!value.equals("0") && !value.equals("1")) {
                    return "type check ('boolean') failed - got '" + value + "'";
                }
            }
            case "integer" -> {
                if (!INTEGER.matcher(value).matches()) {
                    return "type check ('integer') failed - got '" + value + "'";
                }
            }
            case "number" -> {
                if (!NUMBER.matcher(value).matches()) {
                    return "type check ('number') failed - got '" + value + "'";
                }
            }
            default -> {
            }
        }
        String formatError = checkFormat(name, schema, value);
        if (formatError != null) {
            return formatError;
        }
        if (schema.has("pattern") && !pattern(schema.get("pattern").asText()).matcher(value).matches()) {
            return "value does not match the regex pattern";
        }
        if (schema.has("maxLength") && value.length() > schema.get("maxLength").asInt()) {
            return "value may only be " + schema.get("maxLength").asInt() + " characters long";
        }
        if (schema.has("minLength") && value.length() < schema.get("minLength").asInt()) {
            return "value must be at least " + schema.get("minLength").asInt() + " characters long";
        }
        if (NUMBER.matcher(value).matches()) {
            if (schema.has("maximum") && compare(value, schema.get("maximum").asText()) > 0) {
                return "value must have a maximum value of " + schema.get("maximum").asText();
            }
            if (schema.has("minimum") && compare(value, schema.get("minimum").asText()) < 0) {
                return "value must have a minimum value of " + schema.get("minimum").asText();
            }
        }
        if (schema.has("enum")) {
            List<String> allowed = new ArrayList<>();
            schema.get("enum").forEach(e -> allowed.add(e.asText()));
            if (!allowed.contains(value)) {
                return "value '" + value + "' does not have a value in the enumeration '" + String.join(", ", allowed) + "'";
            }
        }
        return null;
    }

    /** Compares two decimal numbers; an exponent too large for BigDecimal compares like Perl's infinity. */
    private static int compare(String value, String limit) {
        try {
            return new BigDecimal(value.startsWith("+") ? value.substring(1) : value).compareTo(new BigDecimal(limit));
        } catch (NumberFormatException | ArithmeticException e) {
            return Double.compare(Double.parseDouble(value), Double.parseDouble(limit));
        }
    }

    /** A schema pattern (Perl) as a Java pattern: (?^:…) is a plain group, a bare \0 is NUL, {,n} is {0,n} (Perl 5.34+). */
    static Pattern pattern(String perl) {
        return PATTERNS.computeIfAbsent(perl, p -> Pattern.compile("(?:" + p.replace("(?^:", "(?:")
                .replaceAll("\\\\0(?![0-7])", "\\\\x00").replace("{,", "{0,") + ")", Pattern.DOTALL));
    }

    private static String checkFormat(String name, JsonNode schema, String value) {
        JsonNode format = schema.get("format");
        if (format == null) {
            return null;
        }
        if (format.isObject()) {
            return checkPropertyString(name, format, value);
        }
        String problem = PveFormats.check(format.asText(), value);
        return problem == null ? null : "invalid format - " + problem;
    }

    /** A property string {@code key=value,key=value} (a bare first value belongs to the default key). */
    private static String checkPropertyString(String name, JsonNode format, String value) {
        String defaultKey = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = format.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().path("default_key").asBoolean(false)) {
                defaultKey = e.getKey();
            }
        }
        List<String> problems = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (String part : value.split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String key = eq < 0 ? defaultKey : part.substring(0, eq);
            String v = eq < 0 ? part : part.substring(eq + 1);
            if (key == null) {
                problems.add(name + ": value without key, but schema does not define a default key");
                continue;
            }
            JsonNode sub = format.get(key);
            if (sub != null && sub.has("alias")) {
                key = sub.get("alias").asText();
                sub = format.get(key);
            }
            if (sub == null) {
                problems.add(name + "." + key + ": " + NOT_IN_SCHEMA);
                continue;
            }
            if (!seen.add(key)) {
                problems.add(name + "." + key + ": duplicate key in comma-separated list property");
                continue;
            }
            String error = checkValue(key, sub, v);
            if (error != null) {
                problems.add(name + "." + key + ": " + error);
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = format.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().path("optional").asBoolean(false) && !e.getValue().has("alias") && !seen.contains(e.getKey())) {
                problems.add(name + "." + e.getKey() + ": property is missing and it is not optional");
            }
        }
        return problems.isEmpty() ? null : "invalid format - format error\n" + String.join("\n", problems);
    }

    /** PVE's {@code split_list}: commas, semicolons, whitespace or NUL. */
    public static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        for (String s : LIST_SEPARATOR.split(value)) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }
}
