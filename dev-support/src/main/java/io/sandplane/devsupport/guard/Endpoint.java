package io.sandplane.devsupport.guard;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One operation of an HTTP API: its method and path template.
 *
 * @param name     what it is called where it is declared (the Java method, or the OpenAPI operation)
 * @param template e.g. {@code /internal/sandboxes/{id}/exec}
 */
public record Endpoint(String method, String template, String name) {

    private static final Pattern PARAMETER = Pattern.compile("\\{([A-Za-z0-9_]+)(?::[^}]*)?}");

    /** The template with every parameter replaced; fails when {@code values} lacks one. */
    public String path(Map<String, String> values) {
        Matcher m = PARAMETER.matcher(template);
        StringBuilder path = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException(this + " needs a value for {" + m.group(1) + "}");
            }
            m.appendReplacement(path, Matcher.quoteReplacement(value));
        }
        m.appendTail(path);
        return path.toString();
    }

    /** The indexes of the template's segments (after the leading slash, from 0) that are parameters. */
    public Set<Integer> parameterSegments() {
        String[] segments = template.substring(1).split("/");
        Set<Integer> parameters = new TreeSet<>();
        for (int i = 0; i < segments.length; i++) {
            if (PARAMETER.matcher(segments[i]).find()) {
                parameters.add(i);
            }
        }
        return parameters;
    }

    @Override
    public String toString() {
        return method + " " + template + " (" + name + ")";
    }
}
