package io.sandplane.simulator.firewall;

import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Addresses as PVE's firewall reads them. Rule addresses go through Perl's Net::IP (1.26), which
 * accepts more than a dotted quad ({@code 1.2.3} is {@code 1.2.3.0}, ranges {@code a-b} and
 * {@code a + n}) and has its own error texts, which PVE passes on; IP set entries first have to match
 * PVE's own address patterns. Both are reproduced here with their messages, on binary strings as
 * Net::IP works, since its checks (prefix bits, range order) are defined on those.
 */
public final class NetIp {

    /** A parsed address or range: its version, first and last address as binary strings. */
    public record Range(int version, String first, String last) {

        /** The first address as a number (IPv4 only). */
        public long firstV4() {
            return Long.parseLong(first, 2);
        }

        public long lastV4() {
            return Long.parseLong(last, 2);
        }
    }

    /** Net::IP's answer: a range, or the text of {@code Net::IP::Error()}. */
    public record Parsed(Range range, String error) {

        boolean ok() {
            return range != null;
        }
    }

    private static final Pattern PREFIX_FORM = Pattern.compile("^(\\S+?)(/\\S+)$");
    private static final Pattern RANGE_FORM = Pattern.compile("^(.+?)\\s*-\\s*(.+)$", Pattern.DOTALL);
    private static final Pattern PLUS_FORM = Pattern.compile("^(.+?)\\s+\\+\\s+(.+)$", Pattern.DOTALL);
    private static final Pattern PREFIX_STEP = Pattern.compile("^/(\\d+)(,|$)");

    private static final String V4_OCTET = "(?:25[0-5]|(?:2[0-4]|1[0-9]|[1-9])?[0-9])";
    /** PVE's $IPV4RE (PVE::ParseUtils): a strict dotted quad. */
    public static final String V4_RE = "(?:(?:" + V4_OCTET + "\\.){3}" + V4_OCTET + ")";
    private static final String H16 = "(?:[0-9a-fA-F]{1,4})";
    private static final String LS32 = "(?:(?:" + V4_RE + "|" + H16 + ":" + H16 + "))";
    /** PVE's $IPV6RE: the RFC 3986 grammar of an IPv6 address. */
    public static final String V6_RE = "(?:"
            + "(?:(?:(?:" + H16 + ":){6})" + LS32 + ")|"
            + "(?:(?:::(?:" + H16 + ":){5})" + LS32 + ")|"
            + "(?:(?:(?:" + H16 + ")?::(?:" + H16 + ":){4})" + LS32 + ")|"
            + "(?:(?:(?:(?:" + H16 + ":){0,1}" + H16 + ")?::(?:" + H16 + ":){3})" + LS32 + ")|"
            + "(?:(?:(?:(?:" + H16 + ":){0,2}" + H16 + ")?::(?:" + H16 + ":){2})" + LS32 + ")|"
            + "(?:(?:(?:(?:" + H16 + ":){0,3}" + H16 + ")?::(?:" + H16 + ":){1})" + LS32 + ")|"
            + "(?:(?:(?:(?:" + H16 + ":){0,4}" + H16 + ")?::)" + LS32 + ")|"
            + "(?:(?:(?:(?:" + H16 + ":){0,5}" + H16 + ")?::)" + H16 + ")|"
            + "(?:(?:(?:(?:" + H16 + ":){0,6}" + H16 + ")?::)))";
    private static final Pattern V4_ADDRESS = Pattern.compile("^" + V4_RE + "$");
    private static final Pattern IP_OR_CIDR = Pattern.compile("^(?:" + V6_RE + "|" + V4_RE + ")(?:/\\d+)?$");
    private static final Pattern V4_CIDR = Pattern.compile("^" + V4_RE + "(/(\\d+))?$");
    private static final Pattern V6_CIDR = Pattern.compile("^" + V6_RE + "(/(\\d+))?$");

    private NetIp() {
    }

    /** Net::IP->new: an address, a prefix, a range or an address plus a count. */
    public static Parsed parse(String data) {
        try {
            return new Parsed(set(data), null);
        } catch (NetIpError e) {
            return new Parsed(null, e.getMessage());
        }
    }

    private static final class NetIpError extends Exception {
        NetIpError(String message) {
            super(message, null, false, false);
        }
    }

    private static Range set(String data) throws NetIpError {
        String[] bounds = normalize(data);
        String begin = bounds[0];
        String end = bounds[1] == null ? begin : bounds[1];
        int version = version(begin);
        String first = toBinary(begin, version);
        int endVersion = version(end);
        if (endVersion != version) {
            throw new NetIpError("Begin and End addresses have different IP versions - " + begin + " - " + end);
        }
        String last = toBinary(end, version);
        if (first.compareTo(last) > 0) {
            throw new NetIpError("Begin address is greater than End address " + begin + " - " + end);
        }
        return new Range(version, first, last);
    }

    /** Net::IP's ip_normalize: the first and last address (expanded), last null for a single address. */
    private static String[] normalize(String data) throws NetIpError {
        Matcher prefix = PREFIX_FORM.matcher(data);
        if (prefix.matches()) {
            String ip = prefix.group(1);
            String len = prefix.group(2);
            int version = version(ip);
            ip = expand(ip, version);
            String bin = toBinary(ip, version);
            while (!len.isEmpty()) {
                Matcher step = PREFIX_STEP.matcher(len);
                if (!step.find()) {
                    break;
                }
                len = len.substring(step.end());
                int bits = Integer.parseInt(step.group(1).length() > 4 ? "99999" : step.group(1));
                checkPrefix(bin, bits, version);
                bin = bin.substring(0, bits) + "1".repeat(bin.length() - bits);
                if (!step.group(2).isEmpty()) {
                    bin = add(bin, BigInteger.ONE);
                }
            }
            return new String[] {ip, fromBinary(bin, version)};
        }
        Matcher range = RANGE_FORM.matcher(data);
        if (range.matches()) {
            int version = version(range.group(1));
            return new String[] {expand(range.group(1), version), expand(range.group(2), version)};
        }
        Matcher plus = PLUS_FORM.matcher(data);
        if (plus.matches()) {
            int version = version(plus.group(1));
            String ip = expand(plus.group(1), version);
            String count = plus.group(2);
            if (!count.matches("\\d+")) {
                throw new NetIpError("Invalid number " + count);
            }
            String sum = add(toBinary(ip, version), new BigInteger(count));
            return new String[] {ip, fromBinary(sum, version)};
        }
        int version = version(data);
        return new String[] {expand(data, version), null};
    }

    /** Net::IP's ip_get_version, with the error of the check that failed. */
    private static int version(String ip) throws NetIpError {
        if (ip.indexOf(':') < 0) {
            String problem = v4Problem(ip);
            if (problem == null) {
                return 4;
            }
            throw new NetIpError(problem);
        }
        String problem = v6Problem(ip);
        if (problem == null) {
            return 6;
        }
        throw new NetIpError(problem);
    }

    /** Net::IP's ip_is_ipv4. */
    private static String v4Problem(String ip) {
        if (!ip.matches("^[\\d.]+$")) {
            return "Invalid chars in IP " + ip;
        }
        if (ip.startsWith(".")) {
            return "Invalid IP " + ip + " - starts with a dot";
        }
        if (ip.endsWith(".")) {
            return "Invalid IP " + ip + " - ends with a dot";
        }
        if (ip.matches("\\d+") && new BigInteger(ip).compareTo(BigInteger.valueOf(256)) < 0) {
            return null;
        }
        long dots = ip.chars().filter(ch -> ch == '.').count();
        if (dots >= 4) {
            return "Invalid IP address " + ip;
        }
        if (ip.contains("..")) {
            return "Empty quad in IP address " + ip;
        }
        for (String quad : ip.split("\\.")) {
            if (new BigInteger(quad).compareTo(BigInteger.valueOf(256)) >= 0) {
                return "Invalid quad in IP address " + ip + " - " + quad;
            }
        }
        return null;
    }

    /** Net::IP's ip_is_ipv6; some of its refusals leave no message (an empty error). */
    private static String v6Problem(String ip) {
        long n = ip.chars().filter(ch -> ch == ':').count();
        if (n <= 0 || n >= 8) {
            return "";
        }
        String[] parts = ip.split(":", -1);
        int partCount = parts.length;
        // Perl's split drops trailing empty fields
        while (partCount > 0 && parts[partCount - 1].isEmpty()) {
            partCount--;
        }
        for (int k = 0; k < partCount; k++) {
            String part = parts[k];
            if (part.isEmpty() || part.matches("(?i)[a-f\\d]{1,4}")) {
                continue;
            }
            if (k == n && v4Problem(part) == null) {
                n++;
                continue;
            }
            return "Invalid IP address " + ip;
        }
        if (ip.matches("^:[^:].*")) {
            return "Invalid address " + ip + " (starts with :)";
        }
        if (ip.matches(".*[^:]:$")) {
            return "Invalid address " + ip + " (ends with :)";
        }
        if (countDoubleColons(ip) > 1) {
            return "Invalid address " + ip + " (More than one :: pattern)";
        }
        if (n != 7 && !ip.contains("::")) {
            return "Invalid number of octets " + ip;
        }
        return null;
    }

    private static int countDoubleColons(String ip) {
        int count = 0;
        for (int i = 0; i + 1 < ip.length(); i++) {
            if (ip.charAt(i) == ':' && ip.charAt(i + 1) == ':') {
                count++;
            }
        }
        return count;
    }

    /** Net::IP's ip_expand_address: four quads for IPv4, eight groups of four hex digits for IPv6. */
    private static String expand(String ip, int version) throws NetIpError {
        if (version == 4) {
            String[] quads = ip.split("\\.");
            if (quads.length > 4) {
                throw new NetIpError("Not a valid IPv address " + ip);
            }
            long[] clean = new long[4];
            for (int i = 0; i < quads.length; i++) {
                if (!quads[i].matches("\\d{1,3}")) {
                    throw new NetIpError("Not a valid IPv4 address " + ip);
                }
                clean[i] = Long.parseLong(quads[i]);
            }
            return clean[0] + "." + clean[1] + "." + clean[2] + "." + clean[3];
        }
        if (countDoubleColons(ip) > 1) {
            throw new NetIpError("Too many :: in ip");
        }
        String marked = ip.replace("::", ":!:");
        String[] groups = marked.split(":");
        int count = groups.length;
        java.util.List<String> expanded = new java.util.ArrayList<>();
        for (String g : groups) {
            if (g.contains(".")) {
                String v4 = toBinary(expand(g, 4), 4);
                String hex = String.format("%08x", Long.parseLong(v4, 2));
                expanded.add(hex.substring(0, 4) + ":" + hex.substring(4));
                count++;
            } else {
                expanded.add("0".repeat(Math.max(0, 4 - g.length())) + g);
            }
        }
        boolean replaced = false;
        for (int i = 0; i < expanded.size(); i++) {
            if (!replaced && expanded.get(i).equals("000!")) {
                // the '::' stands for as many zero groups as make eight
                expanded.set(i, String.join(":", java.util.Collections.nCopies(Math.max(0, 9 - count), "0000")));
                replaced = true;
            }
        }
        return String.join(":", expanded).toLowerCase(java.util.Locale.ROOT);
    }

    private static String toBinary(String expanded, int version) throws NetIpError {
        if (version == 4) {
            StringBuilder bin = new StringBuilder(32);
            for (String quad : expanded.split("\\.")) {
                int value = (int) (Long.parseLong(quad) & 0xFF);
                bin.append(String.format("%8s", Integer.toBinaryString(value)).replace(' ', '0'));
            }
            return bin.toString();
        }
        String hex = expanded.replace(":", "");
        if (hex.length() != 32 || !hex.matches("[0-9a-fA-F]+")) {
            throw new NetIpError("Bad IP address " + hex);
        }
        String bin = new BigInteger(hex, 16).toString(2);
        return "0".repeat(128 - bin.length()) + bin;
    }

    private static String fromBinary(String bin, int version) {
        if (version == 4) {
            long v = Long.parseLong(bin, 2);
            return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
        }
        String hex = String.format("%032x", new BigInteger(bin, 2));
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 32; i += 4) {
            out.append(i == 0 ? "" : ":").append(hex, i, i + 4);
        }
        return out.toString();
    }

    private static void checkPrefix(String bin, int len, int version) throws NetIpError {
        if (len > bin.length()) {
            throw new NetIpError("Prefix length " + len + " is longer than IP address (" + bin.length() + ")");
        }
        if (!bin.substring(len).matches("0*")) {
            throw new NetIpError("Invalid prefix " + bin + "/" + len);
        }
    }

    private static String add(String bin, BigInteger n) {
        BigInteger sum = new BigInteger(bin, 2).add(n);
        String out = sum.toString(2);
        if (out.length() > bin.length()) {
            out = out.substring(out.length() - bin.length());
        }
        return "0".repeat(bin.length() - out.length()) + out;
    }

    // ---------------------------------------------------------------- PVE's own address checks

    /** PVE's IPorCIDR format: the problem with a value, or null. */
    public static String ipOrCidrProblem(String value) {
        if (!IP_OR_CIDR.matcher(value).matches()) {
            return "value does not look like a valid IP address or CIDR network";
        }
        // Net::IP refuses host bits below the prefix; PVE clears them first (clean_cidr)
        Parsed parsed = parse(cleanCidr(value));
        return parsed.ok() ? null : parsed.error();
    }

    /** PVE's clean_cidr: the host bits below the prefix cleared, the address compressed. */
    public static String cleanCidr(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            return cidr;
        }
        String ip = cidr.substring(0, slash);
        String lenText = cidr.substring(slash + 1);
        // Perl: "return $cidr if !$len" - an empty or "0" prefix leaves the value as it is
        if (lenText.isEmpty() || lenText.equals("0")) {
            return cidr;
        }
        boolean v4 = V4_ADDRESS.matcher(ip).matches();
        int bits = v4 ? 32 : 128;
        int len = lenText.length() > 4 ? Integer.MAX_VALUE : Integer.parseInt(lenText);
        try {
            String bin = toBinary(expand(ip, v4 ? 4 : 6), v4 ? 4 : 6);
            // Perl's string AND stops at the shorter operand: a prefix over the length keeps every bit
            int kept = Math.min(len, bits);
            String masked = bin.substring(0, kept) + "0".repeat(bits - kept);
            String clean = fromBinary(masked, v4 ? 4 : 6);
            return (v4 ? clean : compress(clean)) + "/" + lenText;
        } catch (NetIpError e) {
            return cidr;
        }
    }

    /** Net::IP's ip_compress_address for IPv6: leading zeros dropped, the longest run of zero groups as {@code ::}. */
    public static String compress(String ip) {
        String expanded;
        try {
            expanded = expand(ip, 6);
        } catch (NetIpError e) {
            return ip;
        }
        String[] groups = expanded.split(":");
        for (int i = 0; i < groups.length; i++) {
            groups[i] = groups[i].replaceFirst("^0+(?=[0-9a-fA-F])", "");
        }
        String joined = String.join(":", groups);
        Matcher runs = Pattern.compile("((?:^|:)0(?::0)+(?::|$))").matcher(joined);
        String longest = "";
        while (runs.find()) {
            if (runs.group(1).length() > longest.length()) {
                longest = runs.group(1);
            }
        }
        return longest.isEmpty() ? joined : joined.replaceFirst(Pattern.quote(longest), "::");
    }

    /**
     * PVE's parse_ip_or_cidr: the version of an address or network written as PVE's patterns want,
     * and the value without a full-length prefix ({@code /32}, {@code /128}); null when neither matches.
     */
    public static String[] ipOrCidr(String value) {
        if (V6_CIDR.matcher(value).matches()) {
            return new String[] {value.replaceFirst("/128$", ""), "6"};
        }
        if (V4_CIDR.matcher(value).matches()) {
            return new String[] {value.replaceFirst("/32$", ""), "4"};
        }
        return null;
    }

    /** An IPv4 address as a number, or -1 when it is not a dotted quad. */
    public static long v4(String address) {
        if (!V4_ADDRESS.matcher(address).matches()) {
            return -1;
        }
        long v = 0;
        for (String quad : address.split("\\.")) {
            v = (v << 8) | Long.parseLong(quad);
        }
        return v;
    }
}
