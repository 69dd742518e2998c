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

    public static Optional<ServiceHost> parse(String host, PublicDomain domain) {
        if (host == null || host.length() > MAX_HOST_LENGTH) {
            return Optional.empty();
        }
        String suffix = "." + domain.host();
        if (!host.startsWith("port-") || !host.endsWith(suffix)) {
            return Optional.empty();
        }
        String label = host.substring("port-".length(), host.length() - suffix.length());
        int separator = label.indexOf("-vm-");
        if (separator < 0) {
            return Optional.empty();
        }
        int port = digits(label.substring(0, separator), 1, 5);
        int vmid = digits(label.substring(separator + "-vm-".length()), 3, 9);
        if (port < 1 || port > 65535 || vmid < 100) {
            return Optional.empty();
        }
        return Optional.of(new ServiceHost(port, vmid));
    }

    /** Parses 1-9 ASCII digits without a leading zero; -1 for anything else. */
    private static int digits(String text, int minLength, int maxLength) {
        if (text.length() < minLength || text.length() > maxLength || text.charAt(0) == '0') {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
