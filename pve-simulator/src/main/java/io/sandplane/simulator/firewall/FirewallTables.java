package io.sandplane.simulator.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The lookup tables PVE's firewall checks names against: the service names of /etc/services and
 * the protocols of /etc/protocols (as a PVE 9 node has them, from Debian's netbase), the ICMP type
 * names iptables knows, and PVE's firewall macros. Facts only, loaded once from resources.
 */
public final class FirewallTables {

    /** One rule a macro expands to (the action is the macro rule's). */
    public record MacroRule(String proto, String dport, String sport) {
    }

    /** A macro: its canonical name, the IP version it is limited to (0 for both) and its rules. */
    public record Macro(String name, int ipversion, List<MacroRule> rules, List<MacroRule> ipv6Rules) {

        /** The rules for traffic of one IP version, or none when the macro is limited to the other. */
        public List<MacroRule> rulesFor(int version) {
            if (ipversion != 0 && ipversion != version) {
                return List.of();
            }
            return version == 6 && ipv6Rules != null ? ipv6Rules : rules;
        }
    }

    /** iptables' ICMP type names (iptables -p icmp -h), as PVE lists them. */
    public static final Set<String> ICMP_TYPES = Set.of("any", "echo-reply", "destination-unreachable",
            "network-unreachable", "host-unreachable", "protocol-unreachable", "port-unreachable",
            "fragmentation-needed", "source-route-failed", "network-unknown", "host-unknown", "network-prohibited",
            "host-prohibited", "TOS-network-unreachable", "TOS-host-unreachable", "communication-prohibited",
            "host-precedence-violation", "precedence-cutoff", "source-quench", "redirect", "network-redirect",
            "host-redirect", "TOS-network-redirect", "TOS-host-redirect", "echo-request", "router-advertisement",
            "router-solicitation", "time-exceeded", "ttl-zero-during-transit", "ttl-zero-during-reassembly",
            "parameter-problem", "ip-header-bad", "required-option-missing", "timestamp-request", "timestamp-reply",
            "address-mask-request", "address-mask-reply");

    /** ip6tables' ICMPv6 type names. */
    public static final Set<String> ICMPV6_TYPES = Set.of("destination-unreachable", "no-route",
            "communication-prohibited", "beyond-scope", "address-unreachable", "port-unreachable", "failed-policy",
            "reject-route", "packet-too-big", "time-exceeded", "ttl-zero-during-transit", "ttl-zero-during-reassembly",
            "parameter-problem", "bad-header", "unknown-header-type", "unknown-option", "echo-request", "echo-reply",
            "router-solicitation", "router-advertisement", "neighbor-solicitation", "neighbour-solicitation",
            "neighbor-advertisement", "neighbour-advertisement", "redirect");

    /** Protocols whose rules may name ports (PVE's $PROTOCOLS_WITH_PORTS). */
    public static final Set<String> PROTOCOLS_WITH_PORTS = Set.of("udp", "17", "udplite", "136", "tcp", "6", "dccp",
            "33", "sctp", "132");

    private static final Map<String, Integer> SERVICES = new HashMap<>();
    private static final Map<String, String> PROTOCOL_NAMES = new HashMap<>();
    private static final Set<String> PROTOCOL_NUMBERS = new java.util.HashSet<>();
    /** Macros by lower-cased name: PVE accepts any case and stores the canonical one. */
    private static final Map<String, Macro> MACROS = new LinkedHashMap<>();

    static {
        for (String[] line : lines("/firewall/services.tsv")) {
            // as PVE's get_etc_services: a name means the port of its last line
            SERVICES.put(line[0], Integer.parseInt(line[1]));
        }
        for (String[] line : lines("/firewall/protocols.tsv")) {
            PROTOCOL_NAMES.put(line[0], line[1]);
            PROTOCOL_NUMBERS.add(line[1]);
        }
        // PVE adds this one by hand
        PROTOCOL_NAMES.put("icmpv6", "58");
        PROTOCOL_NUMBERS.add("icmpv6");
        loadMacros();
    }

    private FirewallTables() {
    }

    private static List<String[]> lines(String resource) {
        List<String[]> out = new ArrayList<>();
        try (InputStream in = FirewallTables.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.split("\t"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void loadMacros() {
        try (InputStream in = FirewallTables.class.getResourceAsStream("/firewall/macros.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            JsonNode v6 = root.path("ipv6");
            root.path("ipv4").properties().forEach(e -> MACROS.put(e.getKey().toLowerCase(Locale.ROOT),
                    new Macro(e.getKey(), e.getValue().path("ipversion").asInt(), macroRules(e.getValue()),
                            v6.has(e.getKey()) ? macroRules(v6.get(e.getKey())) : null)));
            // macros only PVE's IPv6 table has are limited to IPv6
            v6.properties().forEach(e -> MACROS.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT),
                    new Macro(e.getKey(), 6, macroRules(e.getValue()), macroRules(e.getValue()))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<MacroRule> macroRules(JsonNode macro) {
        List<MacroRule> out = new ArrayList<>();
        macro.path("rules").forEach(r -> out.add(new MacroRule(r.path("proto").asText(null), r.path("dport").asText(null),
                r.path("sport").asText(null))));
        return List.copyOf(out);
    }

    /** The port of a service name, or null. */
    public static Integer service(String name) {
        return SERVICES.get(name);
    }

    /** Whether /etc/protocols (plus PVE's icmpv6) knows a protocol by name or number. */
    public static boolean knownProtocol(String proto) {
        return PROTOCOL_NAMES.containsKey(proto) || PROTOCOL_NUMBERS.contains(proto);
    }

    /** Whether a protocol given by name or number is TCP. */
    public static boolean isTcp(String proto) {
        return "tcp".equals(proto) || "6".equals(proto);
    }

    public static boolean isIcmp(String proto) {
        return "icmp".equals(proto) || "icmpv6".equals(proto) || "ipv6-icmp".equals(proto);
    }

    /** A macro by any spelling of its name, or null. */
    public static Macro macro(String name) {
        return MACROS.get(name.toLowerCase(Locale.ROOT));
    }
}
