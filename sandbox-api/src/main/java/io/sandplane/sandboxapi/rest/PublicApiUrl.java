package io.sandplane.sandboxapi.rest;

import io.quarkus.runtime.Startup;
import io.sandplane.sandboxapi.config.ApiConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Locale;

/**
 * Where clients reach this API ({@code SANDPLANE_API_PUBLIC_URL}), for the absolute URLs handed to them
 * ({@code Location}). Never the request's {@code Host}: any client can send any Host, and a Location
 * built from it points the next client wherever the sender chose. Checked at start, so a deployment
 * with a malformed URL does not come up.
 */
@ApplicationScoped
@Startup
public class PublicApiUrl {

    private final String base;

    public PublicApiUrl(ApiConfig config) {
        this.base = parse(config.publicUrl());
    }

    /** The public URL of an API path ({@code /api/…}). */
    public URI of(String path) {
        return URI.create(base + path);
    }

    /** The URL without a trailing slash; an error that names the setting when it is not an http(s) base URL. */
    static String parse(String configured) {
        URI uri;
        try {
            uri = new URI(configured.trim());
        } catch (java.net.URISyntaxException e) {
            throw invalid(configured, e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid(configured, "it must start with http:// or https://");
        }
        if (uri.getHost() == null) {
            throw invalid(configured, "it has no host");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalid(configured, "it may not carry a user, a query or a fragment");
        }
        String text = uri.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    private static IllegalArgumentException invalid(String configured, String why) {
        return new IllegalArgumentException("SANDPLANE_API_PUBLIC_URL '" + configured + "' is not usable: " + why);
    }
}
