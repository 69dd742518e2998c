package io.sandplane.model.service;

import java.util.Optional;

/**
 * A (port, vmid) pair named by a proxy Host header. {@link #parse} accepts exactly the form
 * {@link ServiceUrls#publicHost} produces for the configured domain and nothing else: no other
 * case, no trailing dot, no extra or missing port, no leading zeros, nothing overlong.
 */
public record ServiceHost(int port, int vmid) {

    /** Longest Host header worth looking at: a full DNS name plus a port. */
    public static final int MAX_HOST_LENGTH = 253 + 6;

    private static final String PREFIX = "port-";
    private static final String SEPARATOR = "-vm-";

    public static Optional<ServiceHost> parse(String host, PublicDomain domain) {
        if (host == null || host.length() > MAX_HOST_LENGTH) {
            return Optional.empty();
        }
        // By index, without substrings: the proxy parses a Host on every request.
        String domainHost = domain.host();
        int dot = host.length() - domainHost.length() - 1;
        if (dot < PREFIX.length() || !host.startsWith(PREFIX) || host.charAt(dot) != '.'
                || !host.regionMatches(dot + 1, domainHost, 0, domainHost.length())) {
            return Optional.empty();
        }
        int separator = host.indexOf(SEPARATOR, PREFIX.length());
        if (separator < 0 || separator + SEPARATOR.length() > dot) {
            return Optional.empty();
        }
        int port = digits(host, PREFIX.length(), separator, 1, 5);
        int vmid = digits(host, separator + SEPARATOR.length(), dot, 3, 9);
        if (port < 1 || port > 65535 || vmid < 100) {
            return Optional.empty();
        }
        return Optional.of(new ServiceHost(port, vmid));
    }

    /** Parses {@code text[from, to)}: 1-9 ASCII digits without a leading zero; -1 for anything else. */
    private static int digits(String text, int from, int to, int minLength, int maxLength) {
        int length = to - from;
        if (length < minLength || length > maxLength || text.charAt(from) == '0') {
            return -1;
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
