package io.sandplane.devsupport.guard;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Other ways to write a request path, the ways a lenient decoder, normaliser or router may take for
 * the path itself: percent-encoded letters and slashes, dot segments (plain and encoded), doubled
 * slashes, matrix parameters, upper case, trailing dots, double encoding, backslashes, overlong
 * UTF-8, a query or fragment, the absolute form. A guard that decides on what a request reaches
 * refuses all of them alike; one that looks at the raw path lets some through. Send them with
 * {@link RawHttp}: HTTP clients normalise paths.
 */
public final class PathSpellings {

    /** How many leading segments get every per-segment spelling: the ones a path-prefix check looks at. */
    private static final int PREFIX_SEGMENTS = 2;

    private PathSpellings() {
    }

    /**
     * A request target and how it was made.
     *
     * @param label  e.g. "first letter of segment 1 percent-encoded"
     * @param target the request target as it goes on the request line
     */
    public record Spelling(String label, String target) {

        public boolean asWritten() {
            return label.equals(AS_WRITTEN);
        }
    }

    static final String AS_WRITTEN = "as written";

    /**
     * Every spelling of {@code path} (absolute, without query; e.g. {@code /internal/guests}), the
     * path as written first. Distinct targets only.
     */
    public static List<Spelling> of(String path) {
        return of(path, Set.of());
    }

    /**
     * The same, leaving the segments at {@code parameterSegments} (indexes from 0 after the leading
     * slash) out of the per-segment spellings: a parameter value spelt otherwise is another value.
     */
    public static List<Spelling> of(String path, Set<Integer> parameterSegments) {
        if (!path.startsWith("/") || path.contains("?") || path.length() < 2) {
            throw new IllegalArgumentException("an absolute path without query is needed: " + path);
        }
        List<String> segments = List.of(path.substring(1).split("/", -1));
        Map<String, String> spellings = new LinkedHashMap<>();
        spellings.put(path, AS_WRITTEN);
        whole(path, segments, spellings);
        for (int i = 0; i < segments.size(); i++) {
            if (!parameterSegments.contains(i)) {
                perSegment(segments, i, i < PREFIX_SEGMENTS, spellings);
            }
        }
        List<Spelling> result = new ArrayList<>();
        spellings.forEach((target, label) -> result.add(new Spelling(label, target)));
        return result;
    }

    private static void whole(String path, List<String> segments, Map<String, String> out) {
        String rest = path.substring(1);
        String first = segments.getFirst();
        String afterFirst = rest.substring(first.length());
        add(out, "trailing slash", path + "/");
        add(out, "doubled leading slash", "/" + path);
        add(out, "every slash doubled", "/" + String.join("//", segments));
        add(out, "dot segment in front", "/." + path);
        add(out, "dot segment between every segment", "/./" + String.join("/./", segments));
        add(out, "trailing dot segment", path + "/.");
        add(out, "parent of a made-up segment in front", "/x/.." + path);
        add(out, "parent of a made-up segment after the first", "/" + first + "/x/.." + afterFirst);
        add(out, "trailing parent of a made-up segment", path + "/x/..");
        add(out, "encoded dot segment in front", "/%2e" + path);
        add(out, "encoded parent in front", "/x/%2e%2e" + path);
        add(out, "upper-case encoded parent in front", "/x/%2E%2E" + path);
        add(out, "half-encoded parent in front", "/x/.%2e" + path);
        add(out, "leading slash doubled by %2F", "/%2F" + rest);
        add(out, "leading slash as %2F (no slash)", "%2F" + rest);
        add(out, "leading slash as %2f (no slash)", "%2f" + rest);
        add(out, "slashes after the first as %2F", "/" + String.join("%2F", segments));
        add(out, "slashes after the first as %2f", "/" + String.join("%2f", segments));
        add(out, "slashes after the first double-encoded (%252F)", "/" + String.join("%252F", segments));
        add(out, "slashes as overlong UTF-8 (%C0%AF)", "/" + String.join("%C0%AF", segments));
        add(out, "slashes as fullwidth solidus (%EF%BC%8F)", "/" + String.join("%EF%BC%8F", segments));
        add(out, "backslashes after the first", "/" + String.join("\\", segments));
        add(out, "backslashes everywhere", "\\" + String.join("\\", segments));
        add(out, "backslashes as %5C", "/" + String.join("%5C", segments));
        add(out, "leading backslash as %5C", "/%5C" + rest);
        add(out, "whole path in upper case", path.toUpperCase(Locale.ROOT));
        add(out, "every character of the first segment percent-encoded", "/" + encodeAll(first) + afterFirst);
        add(out, "every character of every segment percent-encoded",
                "/" + String.join("/", segments.stream().map(PathSpellings::encodeAll).toList()));
        add(out, "every character double-encoded in the first segment", "/" + encodeAll(first).replace("%", "%25") + afterFirst);
        add(out, "empty query", path + "?");
        add(out, "query", path + "?x=y");
        add(out, "fragment", path + "#x");
        add(out, "semicolon at the end", path + ";");
        add(out, "absolute form", "http://127.0.0.1" + path);
        add(out, "absolute form, first letter encoded", "http://127.0.0.1/" + encodeFirst(first, false) + afterFirst);
        add(out, "dot segment, encoded letter, matrix parameter and doubled slashes together",
                "/./" + encodeFirst(first, false) + ";x=y//" + String.join("//", segments.subList(1, segments.size())));
    }

    private static void perSegment(List<String> segments, int i, boolean everySpelling, Map<String, String> out) {
        String segment = segments.get(i);
        if (segment.isEmpty()) {
            return;
        }
        String where = " of segment " + (i + 1);
        replace(out, segments, i, encodeFirst(segment, false), "first letter percent-encoded" + where);
        replace(out, segments, i, segment + ";x=y", "matrix parameter on segment " + (i + 1));
        replace(out, segments, i, segment + ".", "trailing dot on segment " + (i + 1));
        replace(out, segments, i, segment.toUpperCase(Locale.ROOT), "segment " + (i + 1) + " in upper case");
        if (!everySpelling) {
            return;
        }
        replace(out, segments, i, encodeFirst(segment, true), "first letter percent-encoded in upper-case hex" + where);
        replace(out, segments, i, segment.substring(0, segment.length() - 1) + encodeAll(segment.substring(segment.length() - 1)),
                "last letter percent-encoded" + where);
        replace(out, segments, i, "%25" + encodeFirst(segment, false).substring(1), "first letter double-encoded" + where);
        replace(out, segments, i, Character.toUpperCase(segment.charAt(0)) + segment.substring(1), "capitalised segment " + (i + 1));
        replace(out, segments, i, segment + ";", "empty matrix parameter on segment " + (i + 1));
        replace(out, segments, i, segment + "%2e", "encoded trailing dot on segment " + (i + 1));
        replace(out, segments, i, segment + "%00", "encoded NUL after segment " + (i + 1));
        replace(out, segments, i, segment + "%20", "encoded space after segment " + (i + 1));
        replace(out, segments, i, segment + "%09", "encoded tab after segment " + (i + 1));
    }

    private static void replace(Map<String, String> out, List<String> segments, int i, String replacement, String label) {
        List<String> changed = new ArrayList<>(segments);
        changed.set(i, replacement);
        add(out, label, "/" + String.join("/", changed));
    }

    private static void add(Map<String, String> out, String label, String target) {
        out.putIfAbsent(target, label);
    }

    private static String encodeFirst(String segment, boolean upperHex) {
        String hex = hex(segment.charAt(0));
        return "%" + (upperHex ? hex.toUpperCase(Locale.ROOT) : hex) + segment.substring(1);
    }

    private static String encodeAll(String segment) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            encoded.append('%').append(String.format("%02x", b & 0xff));
        }
        return encoded.toString();
    }

    private static String hex(char c) {
        return String.format("%02x", (int) c);
    }
}
