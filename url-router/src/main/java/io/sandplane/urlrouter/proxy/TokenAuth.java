package io.sandplane.urlrouter.proxy;

import io.sandplane.model.Secrets;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The per-sandbox access token as a request may carry it, and how it is removed before the request
 * goes upstream. Header {@value #HEADER}; or query parameter {@value #QUERY_PARAMETER} once, which
 * the proxy exchanges for the HttpOnly, host-only cookie {@value #COOKIE}.
 */
public final class TokenAuth {

    public static final String HEADER = "X-Sandplane-Token";
    public static final String QUERY_PARAMETER = "sandplane_token";
    public static final String COOKIE = "sandplane_token";

    private TokenAuth() {
    }

    /** Whether a presented token is the sandbox's (constant-time on the hashes). */
    public static boolean matches(String presented, String accessTokenHash) {
        return presented != null && !presented.isEmpty() && accessTokenHash != null
                && Secrets.sameHash(Secrets.sha256Hex(presented), accessTokenHash);
    }

    /** The values of {@value #QUERY_PARAMETER} in a raw request URI (decoded); empty when absent. */
    public static List<String> queryTokens(String rawUri) {
        int q = rawUri.indexOf('?');
        if (q < 0) {
            return List.of();
        }
        List<String> tokens = new ArrayList<>();
        for (String pair : query(rawUri, q).split("&", -1)) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (decode(name).equals(QUERY_PARAMETER)) {
                tokens.add(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return tokens;
    }

    /** The raw URI without any {@value #QUERY_PARAMETER} parameter, every other byte as it came. */
    public static String withoutQueryToken(String rawUri) {
        int q = rawUri.indexOf('?');
        if (q < 0) {
            return rawUri;
        }
        int hash = rawUri.indexOf('#', q);
        String fragment = hash < 0 ? "" : rawUri.substring(hash);
        List<String> kept = new ArrayList<>();
        for (String pair : query(rawUri, q).split("&", -1)) {
            int eq = pair.indexOf('=');
            if (!decode(eq < 0 ? pair : pair.substring(0, eq)).equals(QUERY_PARAMETER)) {
                kept.add(pair);
            }
        }
        String path = rawUri.substring(0, q);
        return (kept.isEmpty() ? path : path + "?" + String.join("&", kept)) + fragment;
    }

    /** The values of cookie {@value #COOKIE} across all Cookie headers. */
    public static List<String> cookieTokens(List<String> cookieHeaders) {
        List<String> tokens = new ArrayList<>();
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                String trimmed = pair.trim();
                int eq = trimmed.indexOf('=');
                if (eq > 0 && trimmed.substring(0, eq).trim().equals(COOKIE)) {
                    tokens.add(unquote(trimmed.substring(eq + 1).trim()));
                }
            }
        }
        return tokens;
    }

    /** The Cookie header without {@value #COOKIE}; empty when nothing else is left. */
    public static Optional<String> cookieHeaderWithoutToken(List<String> cookieHeaders) {
        List<String> kept = new ArrayList<>();
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                String trimmed = pair.trim();
                int eq = trimmed.indexOf('=');
                String name = eq < 0 ? trimmed : trimmed.substring(0, eq).trim();
                if (!trimmed.isEmpty() && !name.equals(COOKIE)) {
                    kept.add(trimmed);
                }
            }
        }
        return kept.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", kept));
    }

    /**
     * The cookie a valid one-time query token is exchanged for: host-only (no Domain), HttpOnly, and
     * Secure with {@code SameSite=None} under https so that IDEs embedding a service in an iframe on
     * another site still send it; {@code SameSite=Lax} over plain http, where browsers refuse None.
     */
    public static String setCookie(String token, boolean https, Duration maxAge) {
        return COOKIE + "=" + token + "; Path=/; Max-Age=" + maxAge.toSeconds() + "; HttpOnly"
                + (https ? "; Secure; SameSite=None" : "; SameSite=Lax");
    }

    private static String query(String rawUri, int q) {
        int hash = rawUri.indexOf('#', q);
        return rawUri.substring(q + 1, hash < 0 ? rawUri.length() : hash);
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // Malformed %-escapes: compare the raw text, which can never equal the parameter name by accident.
            return text;
        }
    }
}
