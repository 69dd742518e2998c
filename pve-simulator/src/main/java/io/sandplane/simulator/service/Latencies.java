package io.sandplane.simulator.service;

import io.sandplane.simulator.config.SimulatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;

/** How long each kind of operation takes, in milliseconds; changeable at run time. */
@ApplicationScoped
public class Latencies {

    private final SimulatorConfig config;
    private final Map<String, Long> millis = new LinkedHashMap<>();

    public Latencies(SimulatorConfig config) {
        this.config = config;
        reset();
    }

    public synchronized void reset() {
        SimulatorConfig.Latency l = config.latency();
        millis.clear();
        millis.put("clone", l.clone().toMillis());
        millis.put("create", l.create().toMillis());
        millis.put("start", l.start().toMillis());
        millis.put("stop", l.stop().toMillis());
        millis.put("shutdown", l.shutdown().toMillis());
        millis.put("reboot", l.reboot().toMillis());
        millis.put("suspend", l.suspend().toMillis());
        millis.put("resume", l.resume().toMillis());
        millis.put("destroy", l.destroy().toMillis());
        millis.put("template", l.template().toMillis());
        millis.put("snapshot", l.snapshot().toMillis());
        millis.put("rollback", l.rollback().toMillis());
        millis.put("config", l.config().toMillis());
        millis.put("api", l.api().toMillis());
        millis.put("auth-failure", l.authFailure().toMillis());
    }

    public synchronized long get(String operation) {
        return millis.getOrDefault(operation, 0L);
    }

    public synchronized Map<String, Long> all() {
        return new LinkedHashMap<>(millis);
    }

    /** Sets some latencies; every key must be a known operation. */
    public synchronized Map<String, Long> update(Map<String, Long> changes) {
        for (Map.Entry<String, Long> e : changes.entrySet()) {
            if (!millis.containsKey(e.getKey())) {
                throw new IllegalArgumentException("unknown operation '" + e.getKey() + "'; known: " + millis.keySet());
            }
            if (e.getValue() == null || e.getValue() < 0 || e.getValue() > 600_000) {
                throw new IllegalArgumentException("latency of '" + e.getKey() + "' must be between 0 and 600000 ms");
            }
        }
        millis.putAll(changes);
        return all();
    }

    /** Every latency zero (benchmarks). */
    public synchronized void zero() {
        millis.replaceAll((k, v) -> 0L);
    }
}
