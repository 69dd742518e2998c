package io.sandplane.simulator.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The most recent API calls, for tests to assert on (bounded, oldest dropped first). */
@ApplicationScoped
public class CallLog {

    private static final int CAPACITY = 20_000;
    private final ArrayDeque<RecordedCall> calls = new ArrayDeque<>();
    private long seq;

    public synchronized void add(RecordedCall call) {
        if (calls.size() == CAPACITY) {
            calls.removeFirst();
        }
        calls.addLast(call);
    }

    public synchronized long nextSeq() {
        return ++seq;
    }

    public synchronized List<RecordedCall> list(String method, String pathRegex, long afterSeq) {
        Pattern p = pathRegex == null || pathRegex.isEmpty() ? null : Pattern.compile(pathRegex);
        List<RecordedCall> out = new ArrayList<>();
        for (RecordedCall c : calls) {
            if (c.seq() > afterSeq && (method == null || method.isEmpty() || method.equalsIgnoreCase(c.method()))
                    && (p == null || p.matcher(c.path()).matches())) {
                out.add(c);
            }
        }
        return out;
    }

    public synchronized void clear() {
        calls.clear();
    }
}
