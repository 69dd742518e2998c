package io.sandplane.simulator.schema;

import java.util.Set;
import java.util.regex.Pattern;

/** PVE's registered string formats that the implemented endpoints use, with PVE's error texts. */
public final class PveFormats {

    public static final Pattern VMID = Pattern.compile("^[1-9][0-9]{2,8}$");
    public static final Pattern NODE = Pattern.compile("^([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?)$");
    public static final Pattern DNS_NAME =
            Pattern.compile("^(([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?)\\.)*([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?)$");
    public static final Pattern TAG = Pattern.compile("^[a-z0-9_][a-z0-9_\\-+.]*$", Pattern.CASE_INSENSITIVE);
    public static final Pattern CONFIG_ID = Pattern.compile("^[a-z][a-z0-9_-]+$", Pattern.CASE_INSENSITIVE);
    public static final Pattern STORAGE_ID = Pattern.compile("^[a-z][a-z0-9\\-_.]*[a-z0-9]$", Pattern.CASE_INSENSITIVE);
    private static final Pattern POOL_ID = Pattern.compile("^[A-Za-z0-9_\\-]+(/[A-Za-z0-9_\\-]+){0,2}$");
    private static final Pattern VOLUME_ID = Pattern.compile("^(?i:[a-z][a-z0-9\\-_.]*[a-z0-9]):.+$");
    private static final Pattern IPV4 = Pattern.compile(
            "^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$");
    private static final Pattern MAC = Pattern.compile("^[a-fA-F0-9]{2}(:[a-fA-F0-9]{2}){5}$");
    private static final Set<String> CONTENT = Set.of("images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import");

    private PveFormats() {
    }

    /** The problem with a value (without the leading {@code invalid format - }), or null. */
    public static String check(String format, String value) {
        return switch (format) {
            case "pve-vmid" -> VMID.matcher(value).matches() ? null : "value does not look like a valid VM ID";
            case "pve-node" -> NODE.matcher(value).matches() ? null : "value does not look like a valid node name";
            case "dns-name" -> DNS_NAME.matcher(value).matches() ? null : "value does not look like a valid DNS name";
            case "pve-tag-list" -> {
                for (String tag : ParameterValidator.splitList(value)) {
                    if (!TAG.matcher(tag).matches()) {
                        yield "invalid characters in tag";
                    }
                }
                yield null;
            }
            case "pve-configid" -> CONFIG_ID.matcher(value).matches() ? null : "invalid configuration ID '" + value + "'";
            case "pve-configid-list" -> {
                for (String id : ParameterValidator.splitList(value)) {
                    if (!CONFIG_ID.matcher(id).matches()) {
                        yield "invalid configuration ID '" + id + "'";
                    }
                }
                yield null;
            }
            case "pve-storage-id" -> STORAGE_ID.matcher(value).matches() ? null
                    : "storage ID '" + value + "' contains illegal characters";
            case "pve-poolid" -> POOL_ID.matcher(value).matches() ? null : "pool name '" + value + "' contains illegal characters";
            case "pve-volume-id" -> VOLUME_ID.matcher(value).matches() ? null : "unable to parse volume ID '" + value + "'";
            case "pve-storage-content-list" -> {
                for (String c : ParameterValidator.splitList(value)) {
                    if (!CONTENT.contains(c)) {
                        yield "invalid content type '" + c + "'";
                    }
                }
                yield null;
            }
            case "ipv4" -> IPV4.matcher(value).matches() ? null : "value does not look like a valid IPv4 address";
            case "mac-addr" -> MAC.matcher(value).matches() ? null : "value does not look like a valid MAC address";
            default -> io.sandplane.simulator.firewall.FirewallFormats.check(format, value);
        };
    }
}
