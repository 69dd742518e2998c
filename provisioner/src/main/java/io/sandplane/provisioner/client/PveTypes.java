package io.sandplane.provisioner.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The parts of PVE's answers the provisioner reads (PVE 9.1 schema). Numbers PVE sometimes sends as
 * strings (VMIDs of older versions, {@code nextid}) are read either way by Jackson's scalar coercion.
 */
public final class PveTypes {

    private PveTypes() {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Version(String version, String release) {
    }

    /** {@code GET /nodes} item. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Node(String node, String status, Long mem, Long maxmem) {

        public boolean online() {
            return "online".equals(status);
        }

        public long freeMemory() {
            return maxmem == null || mem == null ? 0 : Math.max(0, maxmem - mem);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Dns(String search) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Storage(String storage, String type, String content, Integer active, Integer enabled, Long avail,
            Long total) {

        public boolean holdsContainers() {
            return content != null && List.of(content.split(",")).contains("rootdir");
        }

        public boolean usable() {
            return (active == null || active == 1) && (enabled == null || enabled == 1);
        }
    }

    /** {@code GET /nodes/{node}/lxc} item. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Guest(int vmid, String status, String name, String tags, String lock, Integer template) {

        public boolean isTemplate() {
            return template != null && template == 1;
        }
    }

    /** {@code GET /nodes/{node}/lxc/{vmid}/config}, the keys Sandplane reads. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LxcConfig(String hostname, String tags, String description, String lock, Integer template,
            String net0, String digest) {
    }

    /** {@code GET /nodes/{node}/lxc/{vmid}/status/current}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record GuestStatus(String status, String name, String lock, String tags, Integer template) {

        public boolean running() {
            return "running".equals(status);
        }
    }

    /** {@code GET /nodes/{node}/lxc/{vmid}/interfaces} item. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record NetInterface(String name, String inet, @JsonProperty("ip-addresses") List<IpAddress> ipAddresses) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record IpAddress(@JsonProperty("ip-address") String ipAddress, @JsonProperty("ip-address-type") String type,
            Integer prefix) {
    }

    /** {@code GET /nodes/{node}/tasks/{upid}/status}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TaskStatus(String status, String exitstatus, String type, String id) {

        public boolean stopped() {
            return "stopped".equals(status);
        }

        /** {@code OK} and {@code WARNINGS: n} are success. */
        public boolean succeeded() {
            return exitstatus != null && (exitstatus.equals("OK") || exitstatus.startsWith("WARNINGS"));
        }
    }

    /**
     * {@code GET …/firewall/options} of the datacenter or a guest, the keys Sandplane reads. PVE sends booleans as
     * 0/1; the datacenter's {@code enable} is a time stamp during the GUI's one-minute trial.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FirewallOptions(Long enable, Integer ipfilter, Integer macfilter, @JsonProperty("policy_in") String policyIn,
            @JsonProperty("policy_out") String policyOut, String digest) {
    }

    /** {@code GET /cluster/firewall/ipset} or {@code …/groups} item: an IP set's or security group's name. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FirewallObject(String name, String group, String comment, String digest) {

        /** IP sets are listed by {@code name}, security groups by {@code group}. */
        public String id() {
            return name != null ? name : group;
        }
    }

    /** {@code GET …/ipset/{name}} item. {@code cidr} is PVE's text: host entries without their prefix. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record IpSetEntry(String cidr, Integer nomatch, String comment, String digest) {

        public boolean excluded() {
            return nomatch != null && nomatch != 0;
        }
    }

    /** {@code GET …/rules} or {@code /cluster/firewall/groups/{group}} item. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FirewallRule(Integer pos, String type, String action, String source, String dest, String proto,
            String dport, String sport, String macro, String iface, @JsonProperty("icmp-type") String icmpType,
            Integer enable, String comment, JsonNode errors, String digest) {

        /** Left out of the compiled chains by PVE: disabled, or with errors (e.g. an IP set it names is gone). */
        public boolean inEffect() {
            return enable != null && enable != 0 && (errors == null || errors.isEmpty() || errors.isNull());
        }
    }
}
