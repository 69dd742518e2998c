package io.sandplane.provisioner.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A guest's firewall as PVE (the simulator) holds it, read through its API as an operator would. */
public record GuestFirewallView(JsonNode options, List<String> rules, List<String> ipfilter) {

    public static GuestFirewallView of(String node, int vmid) {
        String base = "/nodes/" + node + "/lxc/" + vmid + "/firewall";
        JsonNode options = Sim.control().api("GET", base + "/options", null).data();
        List<String> rules = new ArrayList<>();
        Sim.control().api("GET", base + "/rules", null).data().forEach(r -> rules.add(r.path("type").asText() + " "
                + r.path("action").asText() + (r.hasNonNull("dest") ? " " + r.get("dest").asText() : "")
                + (r.path("enable").asInt() == 1 ? "" : " (disabled)")));
        List<String> ipfilter = new ArrayList<>();
        var set = Sim.control().api("GET", base + "/ipset/ipfilter-net0", null);
        if (set.status() == 200) {
            set.data().forEach(e -> ipfilter.add(e.path("cidr").asText()));
        }
        return new GuestFirewallView(options, rules, ipfilter);
    }

    /** Changes the guest's firewall behind Sandplane's back. */
    public static void api(String method, String node, int vmid, String path, Map<String, String> params) {
        var answer = Sim.control().api(method, "/nodes/" + node + "/lxc/" + vmid + "/firewall" + path, params);
        if (answer.status() != 200) {
            throw new IllegalStateException(method + " " + path + ": " + answer.status() + " " + answer.body());
        }
    }
}
