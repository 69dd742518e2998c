package io.sandplane.model.service;

import io.sandplane.model.InvalidValueException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The domain under which the proxy serves sandboxes: {@code port-{port}-vm-{vmid}.{host}}. The host
 * may carry a port ({@code sandplane.localhost:8088}). The scheme is https unless configured
 * otherwise, or the domain is under {@code localhost}, which browsers resolve to loopback and where
 * the proxy is reached without TLS.
 */
public record PublicDomain(String scheme, String host) {

    private static final Pattern HOST = Pattern.compile(
            "([a-z0-9]([a-z0-9\\-]*[a-z0-9])?\\.)*[a-z0-9]([a-z0-9\\-]*[a-z0-9])?(:[1-9][0-9]{0,4})?");

    public PublicDomain {
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new InvalidValueException("publicScheme", "public scheme must be http or https, not "
                    + InvalidValueException.quote(scheme));
        }
        if (host == null || host.length() > 200 || !HOST.matcher(host).matches()) {
            throw new InvalidValueException("publicDomain", "invalid public domain " + InvalidValueException.quote(host)
                    + "; expected a lower-case DNS name with an optional :port, e.g. sandboxes.example.com");
        }
        int colon = host.indexOf(':');
        if (colon > 0 && Integer.parseInt(host.substring(colon + 1)) > 65535) {
            throw new InvalidValueException("publicDomain", "port out of range in " + InvalidValueException.quote(host));
        }
    }

    public static PublicDomain of(String host, Optional<String> scheme) {
        String name = host == null ? null : host.replaceFirst(":[0-9]+$", "");
        boolean local = name != null && (name.equals("localhost") || name.endsWith(".localhost"));
        return new PublicDomain(scheme.orElse(local ? "http" : "https"), host);
    }

    public boolean isHttps() {
        return scheme.equals("https");
    }
}
