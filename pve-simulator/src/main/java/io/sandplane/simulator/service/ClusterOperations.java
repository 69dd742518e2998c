package io.sandplane.simulator.service;

import io.sandplane.simulator.config.ApiTls;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The cluster-, node- and task-level endpoints. */
@ApplicationScoped
public class ClusterOperations {

    public static final String VERSION = "9.1.1";
    private final Cluster c;
    private final ApiTls tls;

    public ClusterOperations(Cluster cluster, ApiTls tls) {
        this.c = cluster;
        this.tls = tls;
    }

    public Object version(Call call) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("release", "9.1");
        v.put("repoid", "42d3a7ad8c0e3e1f");
        v.put("version", VERSION);
        return v;
    }

    public Object nodes(Call call) {
        synchronized (c) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Cluster.NodeState n : c.nodes.values()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("node", n.name);
                m.put("status", n.status);
                if ("online".equals(n.status)) {
                    m.put("cpu", 0.02);
                    m.put("maxcpu", n.cpus);
                    m.put("mem", c.memoryUsed(n));
                    m.put("maxmem", n.memory);
                    m.put("uptime", c.uptime());
                    m.put("level", "");
                    // every node is this one endpoint: with TLS, its real certificate's fingerprint
                    m.put("ssl_fingerprint", tls.fingerprint().orElseGet(() -> fingerprint(n.name)));
                }
                out.add(m);
            }
            return out;
        }
    }

    private static String fingerprint(String node) {
        byte[] h = Integer.toHexString(node.hashCode()).repeat(8).getBytes();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            sb.append(i == 0 ? "" : ":").append("%02X".formatted(h[i % h.length]));
        }
        return sb.toString();
    }

    public Object nodeStatus(Call call) {
        synchronized (c) {
            Cluster.NodeState n = c.node(call.node());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cpu", 0.02);
            m.put("cpuinfo", Map.of("cores", n.cpus, "cpus", n.cpus, "model", "Simulated CPU", "sockets", 1));
            long used = c.memoryUsed(n);
            m.put("memory", Map.of("total", n.memory, "used", used, "free", n.memory - used, "available", n.memory - used));
            m.put("swap", Map.of("total", 0, "used", 0, "free", 0));
            long rootTotal = 100 * Cluster.GIB;
            m.put("rootfs", Map.of("total", rootTotal, "used", 10 * Cluster.GIB, "free", 90 * Cluster.GIB,
                    "avail", 85 * Cluster.GIB));
            m.put("loadavg", List.of("0.10", "0.12", "0.09"));
            m.put("pveversion", "pve-manager/" + ClusterOperations.VERSION + "/42d3a7ad8c0e3e1f");
            m.put("kversion", "Linux 6.14.11-4-pve #1 SMP PREEMPT_DYNAMIC PMX 6.14.11-4 x86_64");
            m.put("current-kernel", Map.of("sysname", "Linux", "release", "6.14.11-4-pve",
                    "version", "#1 SMP PREEMPT_DYNAMIC PMX 6.14.11-4", "machine", "x86_64"));
            m.put("boot-info", Map.of("mode", "efi", "secureboot", 0));
            m.put("uptime", c.uptime());
            m.put("idle", 0);
            m.put("wait", 0.0);
            m.put("ksm", Map.of("shared", 0));
            return m;
        }
    }

    public Object dns(Call call) {
        synchronized (c) {
            c.node(call.node());
            Map<String, Object> m = new LinkedHashMap<>();
            if (c.dnsSearch != null) {
                m.put("search", c.dnsSearch);
            }
            m.put("dns1", "127.0.0.53");
            return m;
        }
    }

    public Object storage(Call call) {
        synchronized (c) {
            Cluster.NodeState n = c.node(call.node());
            List<String> wanted = call.param("content") == null ? List.of()
                    : io.sandplane.simulator.schema.ParameterValidator.splitList(call.param("content"));
            String only = call.param("storage");
            List<Map<String, Object>> out = new ArrayList<>();
            for (Cluster.StorageState s : n.storages.values()) {
                if (only != null && !only.equals(s.id())) {
                    continue;
                }
                if (!wanted.isEmpty() && wanted.stream().noneMatch(s.content()::contains)) {
                    continue;
                }
                long used = c.used(n, s);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("storage", s.id());
                m.put("type", s.type());
                m.put("content", String.join(",", s.content()));
                m.put("active", 1);
                m.put("enabled", 1);
                m.put("shared", s.shared() ? 1 : 0);
                m.put("total", s.total());
                m.put("used", used);
                m.put("avail", s.total() - used);
                m.put("used_fraction", s.total() == 0 ? 0.0 : (double) used / s.total());
                out.add(m);
            }
            return out;
        }
    }

    public Object nextId(Call call) {
        // PVE's Perl hands the id back as a string; mature clients accept both
        return Integer.toString(c.nextId(call.param("vmid")));
    }

    public Object resources(Call call) {
        String type = call.param("type");
        synchronized (c) {
            List<Map<String, Object>> out = new ArrayList<>();
            if (type == null || type.equals("vm")) {
                for (Guest g : c.guests.values()) {
                    out.add(GuestOperations.resourceRow(c, g));
                }
            }
            if (type == null || type.equals("node")) {
                for (Cluster.NodeState n : c.nodes.values()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", "node/" + n.name);
                    m.put("type", "node");
                    m.put("node", n.name);
                    m.put("status", n.status);
                    m.put("cpu", 0.02);
                    m.put("maxcpu", n.cpus);
                    m.put("mem", c.memoryUsed(n));
                    m.put("maxmem", n.memory);
                    m.put("disk", 10 * Cluster.GIB);
                    m.put("maxdisk", 100 * Cluster.GIB);
                    m.put("uptime", c.uptime());
                    m.put("level", "");
                    out.add(m);
                }
            }
            if (type == null || type.equals("storage")) {
                for (Cluster.NodeState n : c.nodes.values()) {
                    for (Cluster.StorageState s : n.storages.values()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("id", "storage/" + n.name + "/" + s.id());
                        m.put("type", "storage");
                        m.put("node", n.name);
                        m.put("storage", s.id());
                        m.put("status", "online".equals(n.status) ? "available" : "unknown");
                        m.put("plugintype", s.type());
                        m.put("content", String.join(",", s.content()));
                        m.put("shared", s.shared() ? 1 : 0);
                        m.put("disk", c.used(n, s));
                        m.put("maxdisk", s.total());
                        out.add(m);
                    }
                }
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- tasks

    public Object taskStatus(Call call) {
        synchronized (c) {
            c.node(call.node());
            Task t = c.task(call.node(), call.param("upid"));
            Map<String, Object> m = taskRow(t);
            m.put("status", t.running ? "running" : "stopped");
            if (!t.running) {
                m.put("exitstatus", t.exitstatus);
            }
            return m;
        }
    }

    private static Map<String, Object> taskRow(Task t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("upid", t.upid);
        m.put("node", t.node);
        m.put("pid", t.pid);
        m.put("pstart", t.pstart);
        m.put("starttime", t.starttime);
        m.put("type", t.type);
        m.put("id", t.id);
        int bang = t.user.indexOf('!');
        m.put("user", bang < 0 ? t.user : t.user.substring(0, bang));
        if (bang >= 0) {
            m.put("tokenid", t.user.substring(bang + 1));
        }
        return m;
    }

    /** The task log: {@code [{n, t}]} plus the total line count, which the router puts beside {@code data}. */
    public LogPage taskLog(Call call) {
        synchronized (c) {
            c.node(call.node());
            Task t = c.task(call.node(), call.param("upid"));
            if (call.flag("download")) {
                if (call.param("start") != null || call.param("limit") != null) {
                    throw PveException.param("download", "'download' is not compatible with 'start' or 'limit'");
                }
            }
            List<String> lines = new ArrayList<>(t.log);
            if (lines.isEmpty()) {
                lines.add("no content");
            }
            int start = call.intParam("start", 0);
            int limit = call.intParam("limit", 50);
            if (call.flag("download")) {
                return new LogPage(null, lines.size(), String.join("\n", lines) + "\n");
            }
            List<Map<String, Object>> out = new ArrayList<>();
            for (int i = start; i < lines.size() && (limit == 0 || out.size() < limit); i++) {
                out.add(Map.of("n", i + 1, "t", lines.get(i)));
            }
            return new LogPage(out, lines.size(), null);
        }
    }

    /** A page of a task log; {@code download} holds the raw file when asked for. */
    public record LogPage(List<Map<String, Object>> lines, int total, String download) {
    }

    public Object stopTask(Call call) {
        synchronized (c) {
            c.node(call.node());
            Task t = c.task(call.node(), call.param("upid"));
            if (t.running) {
                t.onAbort.run();
                t.log.add("received interrupt");
                t.log.add("TASK ERROR: interrupted by signal");
                t.exitstatus = "interrupted by signal";
                t.running = false;
                t.endtime = java.time.Instant.now().getEpochSecond();
                t.done.complete(null);
            }
            return null;
        }
    }

    public Object tasks(Call call) {
        synchronized (c) {
            c.node(call.node());
            String vmid = call.param("vmid");
            String typefilter = call.param("typefilter");
            String userfilter = call.param("userfilter");
            String source = call.param("source") == null ? "archive" : call.param("source");
            List<String> statusfilter = call.param("statusfilter") == null ? List.of()
                    : io.sandplane.simulator.schema.ParameterValidator.splitList(call.param("statusfilter"));
            boolean errorsOnly = call.flag("errors");
            long since = call.longParam("since", 0);
            long until = call.longParam("until", Long.MAX_VALUE);
            int start = call.intParam("start", 0);
            int limit = call.intParam("limit", 50);
            List<Task> all = new ArrayList<>(c.tasks.values());
            all.sort((a, b) -> Long.compare(b.starttime, a.starttime) != 0 ? Long.compare(b.starttime, a.starttime)
                    : Integer.compare(b.pid, a.pid));
            List<Map<String, Object>> out = new ArrayList<>();
            int skipped = 0;
            for (Task t : all) {
                if (!t.node.equals(call.node()) || (vmid != null && !vmid.equals(t.id))
                        || (typefilter != null && !t.type.equals(typefilter))
                        || (userfilter != null && !t.user.contains(userfilter))
                        || (source.equals("active") && !t.running) || (source.equals("archive") && t.running)
                        || t.starttime < since || t.starttime > until
                        || (errorsOnly && (t.running || "OK".equals(t.exitstatus)))) {
                    continue;
                }
                String status = t.running ? "running" : "OK".equals(t.exitstatus) ? "ok"
                        : t.exitstatus.startsWith("WARNINGS") ? "warning" : "error";
                if (!statusfilter.isEmpty() && !statusfilter.contains(status)) {
                    continue;
                }
                if (skipped++ < start) {
                    continue;
                }
                if (out.size() >= limit) {
                    break;
                }
                Map<String, Object> m = taskRow(t);
                m.put("user", t.user);
                m.remove("tokenid");
                if (!t.running) {
                    m.put("endtime", t.endtime);
                    m.put("status", t.exitstatus);
                }
                out.add(m);
            }
            return out;
        }
    }

    static String joined(String... parts) {
        return String.join(",", Arrays.asList(parts));
    }
}
