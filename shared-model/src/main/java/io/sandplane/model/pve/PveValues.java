package io.sandplane.model.pve;

import io.sandplane.model.InvalidValueException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The rules PVE applies to values Sandplane sends it (PVE 9.1 schema; see docs/pve-facts.md).
 * Checking them before the call turns a PVE 400 halfway through a start into a clear error up front.
 */
public final class PveValues {

    /** PVE format {@code pve-vmid}. */
    public static final int MIN_VMID = 100;
    public static final int MAX_VMID = 999_999_999;
    /** LXC {@code hostname} maxLength. */
    public static final int MAX_HOSTNAME_LENGTH = 255;
    /** {@code description} maxLength on create and config. */
    public static final int MAX_DESCRIPTION_LENGTH = 8192;

    /** Format {@code dns-name}: labels of letters, digits and inner hyphens; no trailing dot. */
    private static final Pattern DNS_NAME = Pattern.compile(
            "([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?\\.)*[a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?");
    /** {@code $PVE_TAG_RE}, matched case-insensitively by PVE. */
    private static final Pattern TAG = Pattern.compile("[a-z0-9_][a-z0-9_\\-+.]*", Pattern.CASE_INSENSITIVE);
    /** Format {@code pve-node}: a single DNS label. */
    private static final Pattern NODE = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?");
    private static final Pattern VMID = Pattern.compile("[1-9][0-9]{2,8}");

    private PveValues() {
    }

    public static boolean isVmid(long vmid) {
        return vmid >= MIN_VMID && vmid <= MAX_VMID;
    }

    public static int requireVmid(String field, long vmid) {
        if (!isVmid(vmid)) {
            throw new InvalidValueException(field, "VMID " + vmid + " is outside " + MIN_VMID + "–" + MAX_VMID);
        }
        return (int) vmid;
    }

    /** Parses a VMID written as PVE writes it (no sign, no leading zero). */
    public static int parseVmid(String field, String raw) {
        if (raw == null || !VMID.matcher(raw).matches()) {
            throw new InvalidValueException(field, "invalid VMID " + InvalidValueException.quote(raw));
        }
        return Integer.parseInt(raw);
    }

    public static String requireHostname(String hostname) {
        if (hostname == null || hostname.isEmpty()) {
            throw new InvalidValueException("hostname", "hostname is required");
        }
        if (hostname.length() > MAX_HOSTNAME_LENGTH) {
            throw new InvalidValueException("hostname",
                    "hostname may only be " + MAX_HOSTNAME_LENGTH + " characters long");
        }
        if (!DNS_NAME.matcher(hostname).matches()) {
            throw new InvalidValueException("hostname",
                    "invalid hostname " + InvalidValueException.quote(hostname) + ": value does not look like a valid DNS name");
        }
        return hostname;
    }

    public static String requireNode(String node) {
        if (node == null || node.isEmpty() || node.length() > 63 || !NODE.matcher(node).matches()) {
            throw new InvalidValueException("node", "invalid node name " + InvalidValueException.quote(node));
        }
        return node;
    }

    public static String requireTag(String tag) {
        if (tag == null || tag.isEmpty()) {
            throw new InvalidValueException("tags", "a tag may not be empty");
        }
        if (!TAG.matcher(tag).matches()) {
            throw new InvalidValueException("tags", "invalid characters in tag " + InvalidValueException.quote(tag));
        }
        return tag;
    }

    /**
     * The tag string PVE stores and reads back for these tags: lower-cased, de-duplicated, sorted,
     * joined with {@code ;} (PVE's default datacenter tag-style). Comparing against it tells whether
     * a guest carries exactly the tags that were written.
     */
    public static String normalizeTags(Collection<String> tags) {
        TreeSet<String> normalized = new TreeSet<>();
        for (String tag : tags) {
            normalized.add(requireTag(tag).toLowerCase(Locale.ROOT));
        }
        return String.join(";", normalized);
    }

    /** Splits a tag list as PVE does: on {@code ,}, {@code ;} or whitespace; empty parts are dropped. */
    public static List<String> splitTags(String tags) {
        if (tags == null || tags.isBlank()) {
            return List.of();
        }
        return List.of(tags.trim().split("[,;\\s\\x00]+")).stream().filter(t -> !t.isEmpty()).toList();
    }

    public static String requireDescription(String description) {
        if (description == null) {
            return "";
        }
        if (description.length() > MAX_DESCRIPTION_LENGTH) {
            throw new InvalidValueException("description",
                    "description is " + description.length() + " characters long; PVE allows " + MAX_DESCRIPTION_LENGTH);
        }
        return description;
    }
}
