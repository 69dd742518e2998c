package io.sandplane.model;

/**
 * A value from outside (a request, a catalog file, an environment variable) that breaks a rule.
 * Carries the field it belongs to so the problem+json answer can point at it; every service maps
 * it to 400.
 */
public class InvalidValueException extends RuntimeException {

    private final String field;

    public InvalidValueException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /** Shortens a rejected value for an error message so that junk input cannot flood logs or responses. */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        String shown = value.length() > 64 ? value.substring(0, 64) + "…" : value;
        StringBuilder out = new StringBuilder("'");
        shown.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.append('\'').toString();
    }
}
