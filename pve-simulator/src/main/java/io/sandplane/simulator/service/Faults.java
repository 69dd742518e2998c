package io.sandplane.simulator.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Injected failures, matched against each API call in the order they were added. */
@ApplicationScoped
public class Faults {

    private final List<Active> faults = new ArrayList<>();
    private long nextId;

    private static final class Active {
        Fault fault;
        final Pattern path;
        Integer remaining;

        Active(Fault fault) {
            this.fault = fault;
            this.path = Pattern.compile(fault.path() == null ? ".*" : fault.path());
            this.remaining = fault.count();
        }
    }

    /** Adds a fault, checking it can be applied; returns it with its id. */
    public synchronized Fault add(Fault f) {
        if (f.kind() == null) {
            throw new IllegalArgumentException("kind is required: error, timeout, task or delay");
        }
        try {
            Pattern.compile(f.path() == null ? ".*" : f.path());
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("path is not a valid regular expression: " + e.getDescription());
        }
        switch (f.kind()) {
            case error -> {
                if (f.status() == null || f.status() < 400 || f.status() > 599) {
                    throw new IllegalArgumentException("an error fault needs a status between 400 and 599");
                }
            }
            case task -> {
                if (f.exitstatus() == null || f.exitstatus().isBlank() || f.exitstatus().equals("OK")) {
                    throw new IllegalArgumentException("a task fault needs an exitstatus other than OK");
                }
            }
            case timeout, delay -> {
            }
        }
        if (f.probability() != null && (f.probability() < 0 || f.probability() > 1)) {
            throw new IllegalArgumentException("probability must be between 0 and 1");
        }
        if (f.count() != null && f.count() < 1) {
            throw new IllegalArgumentException("count must be at least 1");
        }
        if (f.delayMs() != null && (f.delayMs() < 0 || f.delayMs() > 600_000)) {
            throw new IllegalArgumentException("delayMs must be between 0 and 600000");
        }
        Fault withId = new Fault("f" + (++nextId), f.method() == null ? null : f.method().toUpperCase(), f.path(), f.kind(),
                f.status(), f.message(), f.exitstatus(), f.delayMs(), f.probability(), f.count());
        faults.add(new Active(withId));
        return withId;
    }

    public synchronized List<Fault> list() {
        return faults.stream().map(a -> a.fault).toList();
    }

    public synchronized boolean remove(String id) {
        return faults.removeIf(a -> a.fault.id().equals(id));
    }

    public synchronized void clear() {
        faults.clear();
    }

    /** The first fault that hits this call (consuming one of its count), if any. */
    public synchronized Optional<Fault> hit(String method, String path) {
        for (Iterator<Active> it = faults.iterator(); it.hasNext(); ) {
            Active a = it.next();
            Fault f = a.fault;
            if ((f.method() != null && !f.method().equals(method)) || !a.path.matcher(path).matches()) {
                continue;
            }
            if (f.probability() != null && ThreadLocalRandom.current().nextDouble() >= f.probability()) {
                continue;
            }
            if (a.remaining != null && --a.remaining <= 0) {
                it.remove();
            }
            return Optional.of(f);
        }
        return Optional.empty();
    }

    /** Snapshot for diagnostics. */
    public synchronized Map<String, Integer> remainingCounts() {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (Active a : faults) {
            out.put(a.fault.id(), a.remaining);
        }
        return out;
    }
}
