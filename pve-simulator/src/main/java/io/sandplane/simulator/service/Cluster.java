package io.sandplane.simulator.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandplane.simulator.config.SimulatorConfig;
import io.sandplane.simulator.firewall.FirewallStore;
import io.sandplane.simulator.firewall.InboundPolicy;
import io.sandplane.simulator.firewall.NetIp;
import io.sandplane.simulator.guest.GuestNetwork;
import io.sandplane.simulator.guest.Verdict;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The simulated cluster: nodes, storages, guests and tasks. One monitor (this object) guards all
 * of it; operations are short and in memory, so the API stays fast under concurrency while the
 * ordering of concurrent calls (who gets a lock first) is exactly defined.
 */
@Singleton
public class Cluster {

    static final long GIB = 1024L * 1024 * 1024;
    private static final Pattern VOLUME = Pattern.compile("^(?:volume=)?([a-zA-Z][a-zA-Z0-9\\-_.]*[a-zA-Z0-9]):([^,]+)(?:,.*)?$");
    private static final Pattern SIZE = Pattern.compile("(?:^|,)size=(\\d+(?:\\.\\d+)?)([KMGT]?)(?:,|$)");
    private static final int MAX_TASKS = 10_000;

    private final Vertx vertx;
    private final Latencies latencies;
    private final GuestNetwork network;
    private final ObjectMapper mapper;
    private final SimulatorConfig config;
    private final Path dataDir;

    final Map<String, NodeState> nodes = new LinkedHashMap<>();
    final TreeMap<Integer, Guest> guests = new TreeMap<>();
    final LinkedHashMap<String, Task> tasks = new LinkedHashMap<>();
    /** The firewall's config files (cluster.fw, <vmid>.fw), guarded by this monitor like everything else. */
    final FirewallStore firewall = new FirewallStore();
    String dnsSearch;
    private Scenario scenario;
    private int nextPid = 0x1000 + ThreadLocalRandom.current().nextInt(0x10000);
    private final long bootJiffies = 0x1000 + ThreadLocalRandom.current().nextInt(0x100000);
    private final Instant bootTime = Instant.now();

    public Cluster(Vertx vertx, Latencies latencies, GuestNetwork network, ObjectMapper mapper, SimulatorConfig config) {
        this.vertx = vertx;
        this.latencies = latencies;
        this.network = network;
        this.mapper = mapper;
        this.config = config;
        try {
            this.dataDir = config.dataDir().isPresent() ? Files.createDirectories(config.dataDir().get())
                    : Files.createTempDirectory("pve-simulator-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the simulator's data directory", e);
        }
        // not waited for: the bean may be made on an event loop, which the guests' binding needs
        synchronized (this) {
            replaceWith(configuredScenario());
        }
    }

    /** A node of the cluster with its storages. */
    static final class NodeState {
        final String name;
        String status;
        final int cpus;
        final long memory;
        final Map<String, StorageState> storages = new LinkedHashMap<>();

        NodeState(String name, String status, int cpus, long memory) {
            this.name = name;
            this.status = status;
            this.cpus = cpus;
            this.memory = memory;
        }
    }

    record StorageState(String id, String type, List<String> content, long total, long baseUsed, boolean shared) {
    }

    // ---------------------------------------------------------------- scenario

    public Scenario configuredScenario() {
        try {
            if (config.scenario().isPresent()) {
                return mapper.readValue(config.scenario().get().toFile(), Scenario.class);
            }
            try (InputStream in = Cluster.class.getResourceAsStream("/scenario/default.json")) {
                return mapper.readValue(in, Scenario.class);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the scenario", e);
        }
    }

    public synchronized Scenario scenario() {
        return scenario;
    }

    /**
     * Replaces the whole cluster with a scenario: every guest is stopped and forgotten, every task
     * too. Returns once the old guests' ports refuse connections and the new running ones accept.
     */
    public void load(Scenario s) {
        List<CompletionStage<Void>> settling;
        synchronized (this) {
            settling = replaceWith(s);
        }
        // waited for outside the lock: a binding's completion takes it
        CompletableFuture.allOf(settling.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new)).join();
    }

    private List<CompletionStage<Void>> replaceWith(Scenario s) {
        validate(s);
        List<CompletionStage<Void>> settling = new ArrayList<>();
        for (Guest g : guests.values()) {
            g.deleted = true;
            settling.add(closeListeners(g));
            network.release(g.address);
        }
        for (Task t : tasks.values()) {
            // a task of the old cluster must not act on the new one (a guest there may have its vmid)
            if (t.running) {
                finish(t, "interrupted by signal");
            }
        }
        guests.clear();
        tasks.clear();
        nodes.clear();
        firewall.clear();
        ScenarioFirewall.apply(firewall, s.firewall());
        deleteTree(dataDir.resolve("guests"));
        deleteTree(dataDir.resolve("snapshots"));
        dnsSearch = s.dnsSearch();
        for (Scenario.NodeSpec n : s.nodes()) {
            NodeState node = new NodeState(n.name(), n.status() == null ? "online" : n.status(),
                    n.cpus() == null ? 16 : n.cpus(), (n.memoryMiB() == null ? 65536 : n.memoryMiB()) * 1024 * 1024);
            for (Scenario.StorageSpec st : n.storages()) {
                node.storages.put(st.storage(), new StorageState(st.storage(), st.type(), List.copyOf(st.content()),
                        st.totalGiB() * GIB, st.usedGiB() * GIB, st.shared()));
            }
            nodes.put(n.name(), node);
        }
        for (Scenario.GuestSpec gs : s.guests()) {
            Map<String, String> conf = new LinkedHashMap<>();
            gs.config().forEach((k, v) -> conf.put(k, v instanceof Boolean b ? (b ? "1" : "0") : String.valueOf(v)));
            Guest g = newGuest(gs.vmid(), GuestType.fromApiName(gs.type()), gs.node(), conf);
            if ("running".equals(gs.status())) {
                settling.add(startListeners(g));
            }
        }
        scenario = s;
        return settling;
    }

    private void validate(Scenario s) {
        if (s.nodes().isEmpty()) {
            throw new IllegalArgumentException("a scenario needs at least one node");
        }
        List<String> names = new ArrayList<>();
        for (Scenario.NodeSpec n : s.nodes()) {
            if (n.name() == null || !io.sandplane.simulator.schema.PveFormats.NODE.matcher(n.name()).matches()) {
                throw new IllegalArgumentException("invalid node name '" + n.name() + "'");
            }
            if (names.contains(n.name())) {
                throw new IllegalArgumentException("duplicate node '" + n.name() + "'");
            }
            if (n.status() != null && !List.of("online", "offline", "unknown").contains(n.status())) {
                throw new IllegalArgumentException("node status must be online, offline or unknown");
            }
            names.add(n.name());
            for (Scenario.StorageSpec st : n.storages()) {
                if (st.storage() == null || !io.sandplane.simulator.schema.PveFormats.STORAGE_ID.matcher(st.storage()).matches()
                        || st.type() == null || st.content() == null || st.totalGiB() <= 0 || st.usedGiB() < 0
                        || st.usedGiB() > st.totalGiB()) {
                    throw new IllegalArgumentException("invalid storage '" + st.storage() + "' on node " + n.name()
                            + ": needs storage, type, content, totalGiB > 0 and 0 <= usedGiB <= totalGiB");
                }
            }
        }
        List<Integer> ids = new ArrayList<>();
        for (Scenario.GuestSpec g : s.guests()) {
            if (g.vmid() < 100 || g.vmid() > 999_999_999 || ids.contains(g.vmid())) {
                throw new IllegalArgumentException("invalid or duplicate vmid " + g.vmid());
            }
            if (!names.contains(g.node())) {
                throw new IllegalArgumentException("guest " + g.vmid() + " is on unknown node '" + g.node() + "'");
            }
            if (!"lxc".equals(g.type()) && !"qemu".equals(g.type())) {
                throw new IllegalArgumentException("guest " + g.vmid() + ": type must be lxc or qemu");
            }
            if (g.config() == null) {
                throw new IllegalArgumentException("guest " + g.vmid() + " needs a config");
            }
            ids.add(g.vmid());
        }
        // checked on a scratch store so that a bad firewall leaves the running cluster as it was
        ScenarioFirewall.apply(new FirewallStore(), s.firewall());
    }

    /** Adds a guest directly, as if made by hand on the host (operator control). */
    public Map<String, Object> addGuest(Scenario.GuestSpec gs) {
        CompletionStage<Void> started;
        synchronized (this) {
            started = addGuestLocked(gs);
        }
        // wait outside the lock: the listeners' completion takes it
        started.toCompletableFuture().join();
        return guestSummaries().stream().filter(m -> m.get("vmid").equals(gs.vmid())).findFirst().orElseThrow();
    }

    private CompletionStage<Void> addGuestLocked(Scenario.GuestSpec gs) {
        if (gs == null || gs.vmid() < 100 || gs.vmid() > 999_999_999) {
            throw new IllegalArgumentException("vmid must be between 100 and 999999999");
        }
        if (guests.containsKey(gs.vmid())) {
            throw new IllegalArgumentException("vmid " + gs.vmid() + " is taken");
        }
        if (gs.node() == null || !nodes.containsKey(gs.node())) {
            throw new IllegalArgumentException("unknown node '" + gs.node() + "'");
        }
        if (!"lxc".equals(gs.type()) && !"qemu".equals(gs.type())) {
            throw new IllegalArgumentException("type must be lxc or qemu");
        }
        Map<String, String> conf = new LinkedHashMap<>();
        if (gs.config() != null) {
            gs.config().forEach((k, v) -> conf.put(k, v instanceof Boolean b ? (b ? "1" : "0") : String.valueOf(v)));
        }
        Guest g = newGuest(gs.vmid(), GuestType.fromApiName(gs.type()), gs.node(), conf);
        return "running".equals(gs.status()) ? startListeners(g) : done();
    }

    /** Removes a guest at once, as if it vanished from the host (operator control); returns once its ports refuse. */
    public boolean dropGuest(int vmid) {
        CompletionStage<Void> stopped;
        synchronized (this) {
            Guest g = guests.get(vmid);
            if (g == null) {
                return false;
            }
            stopped = stopListeners(g);
            removeGuest(g);
        }
        stopped.toCompletableFuture().join();
        return true;
    }

    // ---------------------------------------------------------------- guests

    Guest newGuest(int vmid, GuestType type, String node, Map<String, String> conf) {
        Path dir = dataDir.resolve("guests").resolve(Integer.toString(vmid));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Guest g = new Guest(vmid, type, node, conf, dir);
        guests.put(vmid, g);
        return g;
    }

    void removeGuest(Guest g) {
        g.deleted = true;
        closeListeners(g);
        guests.remove(g.vmid);
        // its firewall file stays: only destroying the guest (or a failed clone) removes it, as in PVE
        firewall.forgetPolicy(g.vmid);
        network.release(g.address);
        g.address = null;
        deleteTree(g.workDir);
        deleteTree(dataDir.resolve("snapshots").resolve(Integer.toString(g.vmid)));
    }

    Path snapshotDir(Guest g, String name) {
        return dataDir.resolve("snapshots").resolve(Integer.toString(g.vmid)).resolve(name);
    }

    /** PVE's load_config: the guest of that type on that node, or the "does not exist" error. */
    Guest load(String node, GuestType type, int vmid) {
        Guest g = guests.get(vmid);
        if (g == null || g.type != type || !g.node.equals(node)) {
            throw PveException.die("Configuration file 'nodes/" + node + "/" + type.configDir() + "/" + vmid
                    + ".conf' does not exist");
        }
        return g;
    }

    /** PVE's check_lock. */
    static void checkLock(Guest g) {
        String lock = g.lock();
        if (lock != null) {
            throw PveException.die(g.type.word() + " is locked (" + lock + ")");
        }
    }

    /** PVE's check_vmid_unused. */
    void checkVmidUnused(int vmid) {
        Guest existing = guests.get(vmid);
        if (existing != null) {
            throw PveException.die(existing.type.word() + " " + vmid + " already exists on node '" + existing.node + "'");
        }
    }

    /** Starts a guest's loopback services; completes when they listen. Marks it running at once. */
    CompletionStage<Void> startListeners(Guest g) {
        g.running = true;
        g.paused = false;
        g.startedAt = Instant.now();
        g.generation++;
        g.execToken = execToken(g.config.get("env"));
        long generation = g.generation;
        GuestNetwork.GuestEndpoint ep = new GuestNetwork.GuestEndpoint(g.vmid, g.type.apiName(), g.workDir, g.execToken,
                guestEnv(g.config.get("env")), (source, sourcePort, destination, port) -> admit(g, source, sourcePort,
                destination, port));
        GuestNetwork.Listeners listeners = network.up(ep, g.address, g.listeners);
        g.listeners = listeners;
        return listeners.bound().thenAccept(address -> {
            synchronized (this) {
                if (g.deleted || g.generation != generation || !g.running) {
                    // stopped or deleted while binding: give the address back to the guest, close listeners
                    listeners.close();
                }
                if (!g.deleted) {
                    g.address = address;
                } else {
                    network.release(address);
                }
            }
        });
    }

    /**
     * The firewall's verdict on a new connection to one of a guest's ports, from its policy as
     * compiled for the current firewall files and its net0 (compiled again only after a change).
     */
    private Verdict admit(Guest g, String source, int sourcePort, String destination, int port) {
        InboundPolicy policy;
        synchronized (this) {
            policy = firewall.inboundPolicy(g.vmid, FirewallOperations.env(g.type), g.config.get("net0"));
        }
        return policy.open() ? Verdict.ACCEPT : policy.decide(NetIp.v4(source), sourcePort, NetIp.v4(destination), port);
    }

    /** Stops a guest's loopback services; completes when they no longer accept connections. */
    CompletionStage<Void> stopListeners(Guest g) {
        g.running = false;
        g.paused = false;
        g.startedAt = null;
        g.generation++;
        return closeListeners(g);
    }

    /** Closes the listeners of the guest's latest start, waiting for a bind still under way. */
    private static CompletionStage<Void> closeListeners(Guest g) {
        return g.listeners == null ? done() : g.listeners.close();
    }

    private static String execToken(String env) {
        for (Map.Entry<String, String> e : guestEnv(env).entrySet()) {
            if (e.getKey().equals("CMUX_EXECD_AUTH_TOKEN") && !e.getValue().isEmpty()) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The container's environment: PVE's {@code env} option, NUL-separated KEY=value entries. */
    static Map<String, String> guestEnv(String env) {
        Map<String, String> out = new LinkedHashMap<>();
        if (env == null) {
            return out;
        }
        for (String entry : env.split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                out.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- tasks

    /** The work of a task, run after its latency under the cluster lock. */
    interface TaskWork {
        /** Does the work; may return a stage that ends the task later (e.g. listeners binding). */
        CompletionStage<Void> run(Task task);

        /** Undoes what the synchronous part of the call did (locks, half-made configs) after a failure. */
        void fail(Task task, String error);

        /** Work whose call changed nothing before the task: nothing to undo when it fails. */
        static TaskWork withoutUndo(Function<Task, CompletionStage<Void>> run) {
            return new TaskWork() {
                @Override
                public CompletionStage<Void> run(Task task) {
                    return run.apply(task);
                }

                @Override
                public void fail(Task task, String error) {
                }
            };
        }
    }

    /** Creates a task, returns its UPID at once, and runs the work after the operation's latency. */
    Task startTask(Call call, String node, String type, String id, String latencyKey, TaskWork work) {
        Task t = new Task(node, nextPid++, bootJiffies + (nextPid % 0xFFFF) * 7L, Instant.now().getEpochSecond(), type, id,
                call.user());
        tasks.put(t.upid, t);
        trimTasks();
        t.onAbort = () -> work.fail(t, "interrupted by signal");
        Fault fault = call.taskFault();
        long delay = latencies.get(latencyKey);
        if (delay <= 0) {
            execute(t, work, fault);
        } else {
            vertx.setTimer(delay, id2 -> execute(t, work, fault));
        }
        return t;
    }

    private synchronized void execute(Task t, TaskWork work, Fault fault) {
        if (!t.running) {
            return;
        }
        String forced = fault == null ? null : fault.exitstatus();
        if (forced != null && !forced.startsWith("WARNINGS: ")) {
            work.fail(t, forced);
            finish(t, forced);
            return;
        }
        CompletionStage<Void> stage;
        try {
            stage = work.run(t);
        } catch (PveException e) {
            work.fail(t, e.getMessage());
            finish(t, e.getMessage());
            return;
        }
        if (stage == null) {
            finish(t, forced == null ? "OK" : forced);
            return;
        }
        stage.whenComplete((v, err) -> {
            synchronized (this) {
                if (!t.running) {
                    return;
                }
                if (err != null) {
                    String msg = err instanceof PveException pe ? pe.getMessage()
                            : err.getCause() instanceof PveException pe2 ? pe2.getMessage() : String.valueOf(err.getMessage());
                    work.fail(t, msg);
                    finish(t, msg);
                } else {
                    finish(t, forced == null ? "OK" : forced);
                }
            }
        });
    }

    private void finish(Task t, String exitstatus) {
        if (exitstatus.startsWith("WARNINGS: ")) {
            int n = parseWarnings(exitstatus);
            for (int i = 1; i <= n; i++) {
                t.log.add("WARN: simulated warning " + i);
            }
            t.log.add("TASK " + exitstatus);
        } else if (exitstatus.equals("OK")) {
            t.log.add("TASK OK");
        } else {
            t.log.add("TASK ERROR: " + exitstatus);
        }
        t.exitstatus = exitstatus;
        t.running = false;
        t.endtime = Instant.now().getEpochSecond();
        t.done.complete(null);
    }

    private static int parseWarnings(String exitstatus) {
        try {
            return Math.min(100, Integer.parseInt(exitstatus.substring("WARNINGS: ".length()).trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private void trimTasks() {
        if (tasks.size() <= MAX_TASKS) {
            return;
        }
        var it = tasks.entrySet().iterator();
        while (tasks.size() > MAX_TASKS && it.hasNext()) {
            if (!it.next().getValue().running) {
                it.remove();
            }
        }
    }

    /** The task of a UPID on a node, or PVE's 400. */
    Task task(String node, String upid) {
        if (!UPID.matcher(upid).matches()) {
            throw PveException.param("upid", "unable to parse worker upid '" + upid + "'");
        }
        Task t = tasks.get(upid);
        if (t == null || !t.node.equals(node)) {
            throw PveException.param("upid", "no such task");
        }
        return t;
    }

    static final Pattern UPID = Pattern.compile(
            "^UPID:([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\\s/]+):([^:\\s/]*):([^:\\s/]+):$");

    // ---------------------------------------------------------------- nodes and storage

    /** PVE proxies a node's calls to it: an unknown name fails the lookup, an offline node the connection. */
    NodeState node(String name) {
        NodeState n = nodes.get(name);
        if (n == null) {
            throw PveException.die("hostname lookup '" + name + "' failed - failed to get address info for: " + name
                    + ": Name or service not known");
        }
        if (!"online".equals(n.status)) {
            throw new PveException(595, "Errors during connection establishment, proxy handshake", Map.of());
        }
        return n;
    }

    StorageState storage(NodeState node, String id) {
        StorageState s = node.storages.get(id);
        if (s == null) {
            throw PveException.die("storage '" + id + "' does not exist");
        }
        return s;
    }

    /** Bytes allocated on a storage: its base usage plus every guest volume on it, at full size. */
    long used(NodeState node, StorageState storage) {
        long used = storage.baseUsed();
        for (Guest g : guests.values()) {
            if (!storage.shared() && !g.node.equals(node.name)) {
                continue;
            }
            for (Map.Entry<String, String> e : g.config.entrySet()) {
                boolean unused = e.getKey().matches("unused\\d+");
                if (isVolumeKey(g.type, e.getKey()) || unused) {
                    Matcher m = VOLUME.matcher(e.getValue());
                    if (m.matches() && m.group(1).equals(storage.id())) {
                        used += unused ? g.detachedSizes.getOrDefault(e.getValue(), 0L) : sizeBytes(e.getValue());
                    }
                }
            }
        }
        return Math.min(used, storage.total());
    }

    static boolean isVolumeKey(GuestType type, String key) {
        return type == GuestType.LXC ? key.equals("rootfs") || key.matches("mp\\d+")
                : key.matches("(scsi|virtio|sata|ide)\\d+|efidisk0|tpmstate0");
    }

    /** The storage id of a volume option such as {@code local-lvm:vm-200-disk-0,size=8G}. */
    static String volumeStorage(String value) {
        Matcher m = VOLUME.matcher(value);
        return m.matches() ? m.group(1) : null;
    }

    /**
     * The number in a config value such as {@code 4}, {@code current=2048} or {@code 2048,foo=1};
     * the fallback for anything else (a config made by hand may hold anything), capped so that
     * byte counts made from it cannot overflow.
     */
    static long number(String value, long fallback) {
        if (value == null) {
            return fallback;
        }
        String first = value.split(",", 2)[0].replaceFirst("^[a-z]+=", "").trim();
        if (!first.matches("\\+?\\d{1,12}")) {
            return fallback;
        }
        return Long.parseLong(first.startsWith("+") ? first.substring(1) : first);
    }

    /** The volume id of a volume option: {@code local-lvm:vm-200-disk-0} of {@code local-lvm:vm-200-disk-0,size=8G}. */
    static String volumeId(String value) {
        return value.split(",", 2)[0].replaceFirst("^volume=", "");
    }

    static String volumeName(String value) {
        Matcher m = VOLUME.matcher(value);
        return m.matches() ? m.group(2) : null;
    }

    static long sizeBytes(String value) {
        Matcher m = SIZE.matcher(value);
        if (!m.find()) {
            return 0;
        }
        double n = Math.min(Double.parseDouble(m.group(1)), 1L << 50);
        long unit = switch (m.group(2)) {
            case "K" -> 1024L;
            case "M" -> 1024L * 1024;
            case "G" -> GIB;
            case "T" -> GIB * 1024;
            default -> 1L;
        };
        return (long) (n * unit);
    }

    long memoryUsed(NodeState node) {
        long used = node.memory / 20;
        for (Guest g : guests.values()) {
            if (g.running && g.node.equals(node.name)) {
                used += g.memoryMiB() * 1024 * 1024 / 4;
            }
        }
        return Math.min(used, node.memory);
    }

    long uptime() {
        return Math.max(1, Instant.now().getEpochSecond() - bootTime.getEpochSecond() + 86_400);
    }

    // ---------------------------------------------------------------- nextid

    /** PVE's nextid: the lowest free id in [100, 1000000), or the given one if free. Reserves nothing. */
    public synchronized int nextId(String requested) {
        if (requested != null) {
            int vmid = Integer.parseInt(requested);
            if (guests.containsKey(vmid)) {
                throw PveException.param("vmid", "VM " + vmid + " already exists");
            }
            return vmid;
        }
        int candidate = 100;
        for (int used : guests.subMap(100, 1_000_000).keySet()) {
            if (used == candidate) {
                candidate++;
            } else if (used > candidate) {
                break;
            }
        }
        if (candidate >= 1_000_000) {
            throw PveException.die("unable to get any free VMID in range [100, 1000000)");
        }
        return candidate;
    }

    // ---------------------------------------------------------------- helpers shared by operations

    /** PVE's config digest: SHA-1 of the config file's text. */
    static String digest(Map<String, String> conf) {
        StringBuilder text = new StringBuilder();
        String description = conf.get("description");
        if (description != null) {
            for (String line : description.split("\n")) {
                text.append('#').append(line).append('\n');
            }
        }
        conf.forEach((k, v) -> {
            if (!k.equals("description")) {
                text.append(k).append(": ").append(v).append('\n');
            }
        });
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Tags as PVE stores them: lower-cased, de-duplicated, sorted, {@code ;}-joined. */
    static String normalizeTags(String tags) {
        return io.sandplane.simulator.schema.ParameterValidator.splitList(tags).stream()
                .map(t -> t.toLowerCase(Locale.ROOT)).distinct().sorted().reduce((a, b) -> a + ";" + b).orElse("");
    }

    /** A description as PVE reads it back: every line ends with {@code \n}. */
    static String normalizeDescription(String description) {
        String[] lines = description.split("\n");
        int last = lines.length;
        while (last > 0 && lines[last - 1].isEmpty()) {
            last--;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < last; i++) {
            out.append(lines[i]).append('\n');
        }
        return out.toString();
    }

    static String randomMac() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "BC:24:11:%02X:%02X:%02X".formatted(r.nextInt(256), r.nextInt(256), r.nextInt(256));
    }

    static void copyTree(Path from, Path to) {
        try {
            Files.createDirectories(to);
            if (!Files.isDirectory(from)) {
                return;
            }
            try (Stream<Path> walk = Files.walk(from)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else if (Files.isRegularFile(p)) {
                        Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a guest's leftovers in the simulator's own temp dir harm nothing
        }
    }

    static CompletionStage<Void> done() {
        return CompletableFuture.completedFuture(null);
    }

    /** A temporary data directory (none was configured) goes away with the simulator. */
    @jakarta.annotation.PreDestroy
    void cleanUp() {
        if (config.dataDir().isEmpty()) {
            deleteTree(dataDir);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    public GuestNetwork network() {
        return network;
    }

    /** Guests as the operator controls list them. */
    public synchronized List<Map<String, Object>> guestSummaries() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Guest g : guests.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("vmid", g.vmid);
            m.put("type", g.type.apiName());
            m.put("node", g.node);
            m.put("status", g.running ? "running" : "stopped");
            m.put("name", g.name());
            m.put("template", g.isTemplate());
            m.put("lock", g.lock());
            m.put("tags", g.config.get("tags"));
            m.put("address", g.running ? g.address : null);
            m.put("config", new LinkedHashMap<>(g.config));
            out.add(m);
        }
        return out;
    }
}
