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

    /** An integer parameter (already checked against the schema), clamped to the long range. */
    public long longParam(String name, long fallback) {
        String v = params.get(name);
        if (v == null) {
            return fallback;
        }
        java.math.BigInteger n = new java.math.BigInteger(v.startsWith("+") ? v.substring(1) : v);
        return n.max(java.math.BigInteger.valueOf(Long.MIN_VALUE)).min(java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValue();
    }

    /** An integer parameter clamped to the int range. */
    public int intParam(String name, int fallback) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, longParam(name, fallback)));
    }

    public int vmid() {
        return Integer.parseInt(params.get("vmid"));
    }

    public String node() {
        return params.get("node");
    }
}
