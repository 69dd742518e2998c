package io.sandplane.simulator.service;

import java.util.Map;

/**
 * One validated API call as an operation sees it.
 *
 * @param user      who calls: {@code user@realm!tokenid}
 * @param params    all parameters, path parameters included, as strings
 * @param taskFault an injected task failure for the task this call starts, or null
 */
public record Call(String user, Map<String, String> params, Fault taskFault) {

    public String param(String name) {
        return params.get(name);
    }

    public boolean flag(String name) {
        return "1".equals(params.get(name));
    }

    public int vmid() {
        return Integer.parseInt(params.get("vmid"));
    }

    public String node() {
        return params.get("node");
    }
}
