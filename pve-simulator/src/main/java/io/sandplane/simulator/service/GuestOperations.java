package io.sandplane.simulator.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandplane.simulator.schema.ApiSchema;
import io.sandplane.simulator.schema.ParameterValidator;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The guest endpoints of LXC and QEMU, with PVE's synchronous pre-checks, locks, tasks and
 * error wording. Every method runs under the cluster lock.
 */
@ApplicationScoped
public class GuestOperations {

    private static final Set<String> CONFIG_CONTROL = Set.of("node", "vmid", "digest", "delete", "revert", "skiplock",
            "force", "background_delay");
    private static final Set<String> CREATE_CONTROL = Set.of("node", "vmid", "ostemplate", "storage", "password",
            "ssh-public-keys", "start", "pool", "restore", "force", "unique", "ignore-unpack-errors", "bwlimit",
            "ha-managed", "archive", "live-restore");

    /** LXC's ostype values. */
    private static final Set<String> LXC_OSTYPES = Set.of("debian", "devuan", "ubuntu", "centos", "fedora", "opensuse",
            "archlinux", "alpine", "gentoo", "nixos", "unmanaged");

    /** The NIC models of a QEMU net option ({@code virtio=MAC,bridge=vmbr0}). */
    private static final Set<String> QEMU_NIC_MODELS = Set.of("e1000", "e1000-82540em", "e1000-82544gc", "e1000-82545em",
            "e1000e", "i82551", "i82557b", "i82559er", "ne2k_isa", "ne2k_pci", "pcnet", "rtl8139", "virtio", "vmxnet3");

    private final Cluster c;
    private final ApiSchema schema;

    public GuestOperations(Cluster cluster, ApiSchema schema) {
        this.c = cluster;
        this.schema = schema;
    }

    // ---------------------------------------------------------------- listing and status

    public Object list(Call call, GuestType type) {
        synchronized (c) {
            c.node(call.node());
            List<Map<String, Object>> out = new ArrayList<>();
            for (Guest g : c.guests.values()) {
                if (g.type == type && g.node.equals(call.node())) {
                    Map<String, Object> m = status(g);
                    if (type == GuestType.LXC) {
                        m.put("type", "lxc");
                    }
                    out.add(m);
                }
            }
            return out;
        }
    }

    private Map<String, Object> status(Guest g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vmid", g.vmid);
        m.put("status", g.running ? "running" : "stopped");
        m.put("name", g.name());
        m.put("cpus", Cluster.number(g.config.get("cores"), 1));
        long maxmem = g.memoryMiB() * 1024 * 1024;
        m.put("maxmem", maxmem);
        if (g.type == GuestType.LXC) {
            m.put("maxswap", Cluster.number(g.config.get("swap"), 512) * 1024 * 1024);
        }
        long maxdisk = maxDisk(g);
        m.put("maxdisk", maxdisk);
        if (g.type == GuestType.LXC) {
            m.put("disk", g.running ? maxdisk / 8 : 0);
        }
        m.put("mem", g.running ? maxmem / 4 : 0);
        m.put("uptime", g.running && g.startedAt != null ? Math.max(0, Instant.now().getEpochSecond() - g.startedAt.getEpochSecond()) : 0);
        m.put("cpu", g.running ? 0.01 : 0);
        m.put("netin", 0);
        m.put("netout", 0);
        m.put("diskread", 0);
        m.put("diskwrite", 0);
        if (g.config.containsKey("tags")) {
            m.put("tags", g.config.get("tags"));
        }
        if (g.lock() != null) {
            m.put("lock", g.lock());
        }
        if (g.isTemplate()) {
            m.put("template", 1);
        }
        if (g.running && g.type == GuestType.QEMU) {
            m.put("pid", 100_000 + g.vmid % 100_000);
        }
        if (g.type == GuestType.QEMU) {
            m.put("qmpstatus", g.running ? (g.paused ? "paused" : "running") : "stopped");
        }
        return m;
    }

    private static long maxDisk(Guest g) {
        for (Map.Entry<String, String> e : g.config.entrySet()) {
            if (e.getKey().equals("rootfs") || (g.type == GuestType.QEMU && Cluster.isVolumeKey(g.type, e.getKey()))) {
                return Cluster.sizeBytes(e.getValue());
            }
        }
        return 0;
    }

    static Map<String, Object> resourceRow(Cluster c, Guest g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", g.type.apiName() + "/" + g.vmid);
        m.put("type", g.type.apiName());
        m.put("vmid", g.vmid);
        m.put("node", g.node);
        m.put("name", g.name());
        m.put("status", g.running ? "running" : "stopped");
        m.put("template", g.isTemplate() ? 1 : 0);
        if (g.config.containsKey("tags")) {
            m.put("tags", g.config.get("tags"));
        }
        if (g.lock() != null) {
            m.put("lock", g.lock());
        }
        long maxmem = g.memoryMiB() * 1024 * 1024;
        m.put("cpu", g.running ? 0.01 : 0);
        m.put("maxcpu", Cluster.number(g.config.get("cores"), 1));
        m.put("mem", g.running ? maxmem / 4 : 0);
        m.put("maxmem", maxmem);
        m.put("disk", 0);
        m.put("maxdisk", maxDisk(g));
        m.put("netin", 0);
        m.put("netout", 0);
        m.put("diskread", 0);
        m.put("diskwrite", 0);
        m.put("uptime", g.running && g.startedAt != null ? Math.max(0, Instant.now().getEpochSecond() - g.startedAt.getEpochSecond()) : 0);
        return m;
    }

    public Object current(Call call, GuestType type) {
        synchronized (c) {
            c.node(call.node());
            Guest g = c.load(call.node(), type, call.vmid());
            Map<String, Object> m = status(g);
            m.put("ha", Map.of("managed", 0));
            if (type == GuestType.QEMU) {
                m.put("agent", "1".equals(agentEnabled(g)) ? 1 : 0);
                if (g.running) {
                    m.put("running-machine", "pc-i440fx-9.2+pve1");
                    m.put("running-qemu", "9.2.0");
                }
            }
            return m;
        }
    }

    // ---------------------------------------------------------------- config

    /** The config as PVE's config file holds it plus its digest; the router types the values. */
    public Map<String, String> getConfig(Call call, GuestType type) {
        synchronized (c) {
            c.node(call.node());
            Guest g = c.load(call.node(), type, call.vmid());
            Map<String, String> conf;
            if (call.param("snapshot") != null) {
                Guest.Snapshot s = g.snapshots.get(call.param("snapshot"));
                if (s == null) {
                    throw PveException.die("snapshot '" + call.param("snapshot") + "' does not exist");
                }
                conf = new LinkedHashMap<>(s.config());
            } else {
                conf = new LinkedHashMap<>(g.config);
                conf.remove("parent");
            }
            conf.put("digest", Cluster.digest(g.config));
            return conf;
        }
    }

    public Object putConfig(Call call, GuestType type) {
        synchronized (c) {
            c.node(call.node());
            ConfigChange change = configChange(call, type);
            Guest g = c.load(call.node(), type, call.vmid());
            applyConfig(change, g);
            return null;
        }
    }

    /**
     * A config update as the API handler sees it before it takes the config lock: the options to
     * set, to delete and to revert, checked the way PVE checks them (its texts, its order).
     */
    private record ConfigChange(Call call, Map<String, String> set, List<String> delete, List<String> revert,
                                boolean force) {
    }

    private ConfigChange configChange(Call call, GuestType type) {
        boolean qemu = type == GuestType.QEMU;
        checkSkiplock(call);
        Map<String, String> set = new LinkedHashMap<>();
        call.params().forEach((k, v) -> {
            if (!CONFIG_CONTROL.contains(k)) {
                set.put(k, v);
            }
        });
        if (qemu && set.containsKey("cdrom")) {
            String cdrom = set.remove("cdrom");
            set.put("ide2", cdrom.contains("media=") ? cdrom : cdrom + ",media=cdrom");
        }
        List<String> delete = new ArrayList<>();
        for (String opt : listParam(call, "delete")) {
            delete.add(qemu && opt.equals("cdrom") ? "ide2" : opt);
        }
        List<String> revert = listParam(call, "revert");
        if (set.isEmpty() && delete.isEmpty() && revert.isEmpty()) {
            throw PveException.die("no options specified");
        }
        // QEMU checks the names before it locks the config; LXC does the same checks (worded a
        // little differently) under the lock - the outcome for a client is the same
        for (String opt : revert) {
            if (!optionExists(type, opt)) {
                throw PveException.param("revert", "unknown option '" + opt + "'");
            }
            if (set.containsKey(opt)) {
                throw qemu ? PveException.param("delete", "you can't use '-" + opt + "' and -revert " + opt + "' at the same time")
                        : PveException.param("revert", "you can't use '-" + opt + "' and '-revert " + opt + "' at the same time");
            }
        }
        for (String opt : delete) {
            if (!optionExists(type, opt)) {
                throw PveException.param("delete", "unknown option '" + opt + "'");
            }
            if (set.containsKey(opt)) {
                throw PveException.param("delete", "you can't use '-" + opt + "' and -delete " + opt + "' at the same time");
            }
            if (revert.contains(opt)) {
                throw qemu ? PveException.param("revert", "you can't use '-delete " + opt + "' and -revert " + opt + "' at the same time")
                        : PveException.param("delete", "you can't use '-delete " + opt + "' and '-revert " + opt + "' at the same time");
            }
        }
        return new ConfigChange(call, set, delete, revert, call.flag("force"));
    }

    private static List<String> listParam(Call call, String name) {
        return call.param(name) == null ? List.of() : ParameterValidator.splitList(call.param(name));
    }

    /** PVE's option_exists: a key of the guest type's config (vmstate is one for QEMU, though not settable). */
    private boolean optionExists(GuestType type, String opt) {
        if (CONFIG_CONTROL.contains(opt)) {
            return false;
        }
        if (type == GuestType.QEMU && opt.equals("vmstate")) {
            return true;
        }
        return ParameterValidator.propertySchema(configSchema(type), opt) != null;
    }

    private JsonNode configSchema(GuestType type) {
        return schema.endpoint("/nodes/{node}/" + type.apiName() + "/{vmid}/config", "PUT").orElseThrow().properties();
    }

    /** PVE lets only root@pam (a ticket, never an API token) skip the lock check. */
    static void checkSkiplock(Call call) {
        if (call.flag("skiplock") && !call.user().equals("root@pam")) {
            throw PveException.param("skiplock", "Only root may use this option.");
        }
    }

    /** Applies a checked update under the guest's lock, as PVE's update function does. */
    private void applyConfig(ConfigChange change, Guest g) {
        Call call = change.call();
        String digest = call.param("digest");
        boolean qemu = g.type == GuestType.QEMU;
        if (qemu) {
            if (digest != null && !digest.equals(Cluster.digest(g.config))) {
                throw PveException.die("checksum mismatch (file change by other user?)");
            }
            // deleting the saved state of a VM suspended to disk discards it, lock and all
            boolean discardState = change.delete().contains("vmstate") && "suspended".equals(g.lock());
            if (!call.flag("skiplock") && !discardState) {
                Cluster.checkLock(g);
            }
        } else {
            Cluster.checkLock(g);
            if (digest != null && !digest.equals(Cluster.digest(g.config))) {
                throw PveException.die("detected modified configuration - file changed by other user? Try again.");
            }
            if (change.set().containsKey("unprivileged")
                    && !change.set().get("unprivileged").equals(g.config.getOrDefault("unprivileged", "0"))) {
                throw PveException.die("unable to modify read-only option: 'unprivileged'");
            }
            for (String opt : change.delete()) {
                if (opt.equals("unprivileged")) {
                    throw PveException.die("unable to delete read-only option: 'unprivileged'");
                }
                if (opt.equals("hostname") || opt.equals("memory") || opt.equals("rootfs")) {
                    throw PveException.die("unable to delete required option '" + opt + "'");
                }
            }
        }
        boolean protectedGuest = "1".equals(g.config.get("protection"));
        for (String opt : change.delete()) {
            String value = g.config.get(opt);
            if (value == null) {
                continue; // PVE only warns: "cannot delete 'x' - not set in current configuration!"
            }
            if (opt.matches("unused\\d+")) {
                if (protectedGuest) {
                    throw PveException.die(qemu ? "can't remove unused disk '" + value + "'"
                            : "can't remove CT " + g.vmid + " drive '" + opt + "'");
                }
                g.detachedSizes.remove(value);
            } else if (Cluster.isVolumeKey(g.type, opt) && !opt.equals("rootfs")) {
                if (protectedGuest) {
                    throw PveException.die(qemu ? "can't remove drive '" + opt + "'"
                            : "can't remove CT " + g.vmid + " drive '" + opt + "'");
                }
                // a detached disk stays allocated as unusedN unless QEMU is told to force its removal
                if (!(qemu && change.force()) && !value.contains("media=cdrom") && ownsVolume(g, value)) {
                    String volid = Cluster.volumeId(value);
                    g.config.put(nextUnusedKey(g), volid);
                    g.detachedSizes.put(volid, Cluster.sizeBytes(value));
                }
            } else if (opt.equals("vmstate") && "suspended".equals(g.lock())) {
                g.config.remove("lock");
            }
            g.config.remove(opt);
        }
        Cluster.NodeState node = c.nodes.get(g.node);
        for (Map.Entry<String, String> e : change.set().entrySet()) {
            String key = e.getKey();
            if (Cluster.isVolumeKey(g.type, key) && !key.equals("rootfs")) {
                String old = g.config.get(key);
                String value = allocate(node, g.vmid, e.getValue(), nextDiskNumber(g));
                if (old != null && !Cluster.volumeId(old).equals(Cluster.volumeId(value)) && ownsVolume(g, old)
                        && !old.contains("media=cdrom")) {
                    String volid = Cluster.volumeId(old);
                    g.config.put(nextUnusedKey(g), volid);
                    g.detachedSizes.put(volid, Cluster.sizeBytes(old));
                }
                g.config.put(key, value);
            } else {
                store(g, key, e.getValue());
            }
        }
    }

    /** PVE's vm_is_volid_owner: the volume's name carries the guest's id. */
    private static boolean ownsVolume(Guest g, String value) {
        String name = Cluster.volumeName(value);
        return name != null && name.matches("(.*/)?(vm|base)-" + g.vmid + "-.*");
    }

    /** PVE's add_unused_volume: the lowest free unusedN. */
    private static String nextUnusedKey(Guest g) {
        for (int i = 0; ; i++) {
            if (!g.config.containsKey("unused" + i)) {
                return "unused" + i;
            }
        }
    }

    /** The lowest disk number not used by any of the guest's volumes (PVE's find_free_diskname). */
    private static int nextDiskNumber(Guest g) {
        Set<Integer> used = new HashSet<>();
        Pattern p = Pattern.compile("vm-" + g.vmid + "-disk-(\\d{1,6})(?!\\d)");
        for (String v : g.config.values()) {
            Matcher m = p.matcher(v);
            while (m.find()) {
                used.add(Integer.parseInt(m.group(1)));
            }
        }
        int n = 0;
        while (used.contains(n)) {
            n++;
        }
        return n;
    }

    /** Stores one option the way PVE's config writer normalises it. */
    private static void store(Guest g, String key, String value) {
        switch (key) {
            case "tags" -> {
                String tags = Cluster.normalizeTags(value);
                if (tags.isEmpty()) {
                    g.config.remove("tags");
                } else {
                    g.config.put("tags", tags);
                }
            }
            case "description" -> {
                String d = Cluster.normalizeDescription(value);
                if (d.isEmpty()) {
                    g.config.remove("description");
                } else {
                    g.config.put("description", d);
                }
            }
            default -> {
                if (key.matches("net\\d+")) {
                    value = g.type == GuestType.LXC ? (value.contains("hwaddr=") ? value : value + ",hwaddr=" + Cluster.randomMac())
                            : qemuNet(value);
                }
                g.config.put(key, value);
            }
        }
    }

    /** A QEMU net as PVE prints it: {@code model=MAC,...}, a MAC generated unless one was given. */
    static String qemuNet(String value) {
        String model = null;
        String mac = null;
        List<String> rest = new ArrayList<>();
        for (String part : value.split(",")) {
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq);
            String v = eq < 0 ? null : part.substring(eq + 1);
            if (QEMU_NIC_MODELS.contains(k) && model == null) {
                model = k;
                mac = v;
            } else if (k.equals("model")) {
                model = v;
            } else if (k.equals("macaddr")) {
                mac = v;
            } else if (!part.isEmpty()) {
                rest.add(part);
            }
        }
        if (model == null) {
            return value;
        }
        String out = model + "=" + (mac == null || mac.isEmpty() ? Cluster.randomMac() : mac.toUpperCase(Locale.ROOT));
        return rest.isEmpty() ? out : out + "," + String.join(",", rest);
    }

    /** QEMU's asynchronous config update: a {@code qmconfig} task; with background_delay, null if it ends in time. */
    public Object postConfig(Call call) {
        synchronized (c) {
            c.node(call.node());
            ConfigChange change = configChange(call, GuestType.QEMU);
            Guest g = c.load(call.node(), GuestType.QEMU, call.vmid());
            Task t = c.startTask(call, call.node(), "qmconfig", Integer.toString(g.vmid), "config", Cluster.TaskWork.withoutUndo(task -> {
                if (g.deleted) {
                    throw PveException.die("Configuration file 'nodes/" + g.node + "/qemu-server/" + g.vmid
                            + ".conf' does not exist");
                }
                task.log.add("update VM " + g.vmid + ": " + describeParams(call));
                applyConfig(change, g);
                return null;
            }));
            if (call.param("background_delay") == null) {
                return t.upid;
            }
            // PVE waits up to background_delay seconds for the worker: null when it ended in time
            long waitMs = Long.parseLong(call.param("background_delay")) * 1000;
            CompletableFuture<Object> answer = new CompletableFuture<>();
            t.done.thenRun(() -> answer.complete(null));
            return answer.completeOnTimeout(t.upid, waitMs, TimeUnit.MILLISECONDS);
        }
    }

    private static String describeParams(Call call) {
        StringBuilder sb = new StringBuilder();
        call.params().forEach((k, v) -> {
            if (!k.equals("node") && !k.equals("vmid")) {
                sb.append(" -").append(k).append(" '").append(v.length() > 40 ? v.substring(0, 40) + "…" : v).append("'");
            }
        });
        return sb.toString().trim();
    }

    // ---------------------------------------------------------------- create and clone

    public Object create(Call call, GuestType type) {
        synchronized (c) {
            Cluster.NodeState node = c.node(call.node());
            int vmid = call.vmid();
            c.checkVmidUnused(vmid);
            Map<String, String> conf = new LinkedHashMap<>();
            if (type == GuestType.LXC) {
                String ostemplate = call.param("ostemplate");
                String tplStorage = Cluster.volumeStorage(ostemplate);
                if (tplStorage == null) {
                    throw PveException.die("unable to parse volume ID '" + ostemplate + "'");
                }
                Cluster.StorageState ts = c.storage(node, tplStorage);
                if (!ts.content().contains("vztmpl") || !Cluster.volumeName(ostemplate).startsWith("vztmpl/")) {
                    throw PveException.die("volume '" + ostemplate + "' does not exist");
                }
                String storage = call.param("storage") == null ? "local" : call.param("storage");
                String rootfs = call.param("rootfs") == null ? storage + ":4" : call.param("rootfs");
                conf.put("arch", "amd64");
                String file = ostemplate.substring(ostemplate.lastIndexOf('/') + 1);
                // PVE reads the OS from the archive; its file name says as much here
                String os = file.contains("-") ? file.substring(0, file.indexOf('-')).replaceAll("[^a-z]", "") : "";
                conf.put("ostype", LXC_OSTYPES.contains(os) ? os : "unmanaged");
                conf.put("hostname", "CT" + vmid);
                conf.put("memory", "512");
                conf.put("swap", "512");
                conf.put("rootfs", allocate(node, vmid, rootfs, 0));
                conf.put("unprivileged", "1");
            } else {
                conf.put("memory", "2048");
            }
            Guest g = c.newGuest(vmid, type, node.name, conf);
            try {
                for (Map.Entry<String, String> e : call.params().entrySet()) {
                    String k = e.getKey();
                    if (CREATE_CONTROL.contains(k) || k.equals("rootfs")) {
                        continue;
                    }
                    if (Cluster.isVolumeKey(type, k)) {
                        g.config.put(k, allocate(node, vmid, e.getValue(), nextDiskNumber(g)));
                    } else {
                        store(g, k, e.getValue());
                    }
                }
            } catch (PveException ex) {
                c.removeGuest(g);
                throw ex;
            }
            String finalLock = g.config.get("lock");
            g.config.put("lock", "create");
            boolean start = call.flag("start");
            Task t = c.startTask(call, node.name, type.task("create"), Integer.toString(vmid), "create", new Cluster.TaskWork() {
                @Override
                public CompletionStage<Void> run(Task task) {
                    task.log.add(type == GuestType.LXC ? "extracting archive '" + call.param("ostemplate") + "'"
                            : "creating VM " + vmid);
                    restoreLock(g, finalLock);
                    if (start && !g.isTemplate()) {
                        return c.startListeners(g);
                    }
                    return null;
                }

                @Override
                public void fail(Task task, String error) {
                    if (!g.deleted) {
                        c.removeGuest(g);
                    }
                }
            });
            return t.upid;
        }
    }

    private static void restoreLock(Guest g, String lock) {
        if (lock == null) {
            g.config.remove("lock");
        } else {
            g.config.put("lock", lock);
        }
    }

    /** {@code STORAGE:SIZE_GiB} allocates a new volume; an existing volume id is taken as it is. */
    private String allocate(Cluster.NodeState node, int vmid, String spec, int index) {
        String[] parts = spec.split(",", 2);
        String first = parts[0].startsWith("volume=") ? parts[0].substring(7) : parts[0];
        int colon = first.indexOf(':');
        if (colon < 0) {
            throw PveException.die("unable to parse volume ID '" + first + "'");
        }
        String storage = first.substring(0, colon);
        String rest = first.substring(colon + 1);
        Cluster.StorageState st = c.storage(node, storage);
        if (rest.matches("\\d+(\\.\\d+)?")) {
            double requested = Math.ceil(Double.parseDouble(rest));
            if (!st.content().contains("rootdir") && !st.content().contains("images")) {
                throw PveException.die("storage '" + storage + "' does not support container directories");
            }
            long free = st.total() - c.used(node, st);
            long size = (long) requested;
            if (requested * Cluster.GIB > free) {
                throw PveException.die("unable to alloc disk - not enough free space on storage '" + storage + "'");
            }
            String name = (st.type().equals("dir") ? vmid + "/" : "") + "vm-" + vmid + "-disk-" + index
                    + (st.type().equals("dir") ? ".raw" : "");
            String options = parts.length > 1 ? parts[1].replaceAll("(^|,)size=[^,]*", "") : "";
            return storage + ":" + name + (options.isEmpty() ? "" : "," + options.replaceFirst("^,", "")) + ",size=" + size + "G";
        }
        return spec;
    }

    public Object clone(Call call, GuestType type) {
        synchronized (c) {
            Cluster.NodeState node = c.node(call.node());
            Guest src = c.load(call.node(), type, call.vmid());
            int newid = Integer.parseInt(call.param("newid"));
            String target = call.param("target");
            if (target != null && target.equals(node.name)) {
                target = null;
            }
            Cluster.NodeState targetNode = node;
            if (target != null) {
                targetNode = c.nodes.get(target);
                if (targetNode == null) {
                    throw PveException.die("no such cluster node '" + target + "'");
                }
            }
            String storage = call.param("storage");
            if (storage != null) {
                c.storage(node, storage);
                if (target != null && !c.storage(node, storage).shared()) {
                    throw PveException.die("can't clone to non-shared storage '" + storage + "'");
                }
            }
            // the source is locked first: a second clone of the same template fails here at once
            if (type == GuestType.LXC) {
                Cluster.checkLock(src);
            } else if (src.lock() != null) {
                Cluster.checkLock(src);
            }
            Guest existing = c.guests.get(newid);
            if (existing != null) {
                if (type == GuestType.QEMU && existing.type == GuestType.QEMU && existing.node.equals(targetNode.name)) {
                    throw PveException.die("unable to create VM " + newid + ": config file already exists");
                }
                c.checkVmidUnused(newid);
            }
            boolean full = call.param("full") == null ? !src.isTemplate() : call.flag("full");
            if (storage != null && !full) {
                throw PveException.die("parameter 'storage' not allowed for linked clones");
            }
            String snapname = call.param("snapname");
            if (snapname != null && !src.snapshots.containsKey(snapname)) {
                throw PveException.die("snapshot '" + snapname + "' does not exist");
            }
            Map<String, String> source = snapname == null ? src.config : src.snapshots.get(snapname).config();
            Map<String, String> conf = new LinkedHashMap<>();
            boolean shared = true;
            for (Map.Entry<String, String> e : source.entrySet()) {
                String k = e.getKey();
                String v = e.getValue();
                if (k.matches("unused\\d+") || k.equals("lock") || k.equals("parent") || k.equals("template")) {
                    continue;
                }
                if (Cluster.isVolumeKey(type, k) && Cluster.volumeStorage(v) != null) {
                    String volid = v.split(",", 2)[0].replaceFirst("^volume=", "");
                    String sid = storage != null ? storage : Cluster.volumeStorage(v);
                    Cluster.StorageState st = c.storage(node, sid);
                    shared &= st.shared();
                    if (full) {
                        if (type == GuestType.LXC && src.running && snapname == null) {
                            throw PveException.die("Full clone of a running container is only possible from a snapshot");
                        }
                        conf.put(k, newVolume(sid, st, newid, diskIndexOf(k), v));
                    } else {
                        String volname = Cluster.volumeName(v);
                        // PVE's isBase: the volume itself is a template's base, not a clone of one
                        boolean linkable = volname.substring(volname.lastIndexOf('/') + 1).startsWith("base-");
                        boolean cloneFeature = Set.of("lvmthin", "zfspool", "rbd").contains(st.type())
                                || (type == GuestType.QEMU && volname.endsWith(".qcow2"));
                        if (!linkable || !cloneFeature) {
                            throw PveException.die(type == GuestType.LXC ? "Linked clone feature for '" + volid + "' is not available"
                                    : "Linked clone feature is not supported for drive '" + k + "'");
                        }
                        String name = "vm-" + newid + "-disk-" + diskIndexOf(k);
                        // file storages (qcow2) keep the clone in the new guest's directory
                        conf.put(k, sid + ":" + volname + "/" + (volname.endsWith(".qcow2") ? newid + "/" + name + ".qcow2" : name)
                                + sizeSuffix(v));
                    }
                } else if (k.matches("net\\d+")) {
                    conf.put(k, type == GuestType.LXC
                            ? v.replaceAll("(^|,)hwaddr=[0-9A-Fa-f:]+", "") + ",hwaddr=" + Cluster.randomMac()
                            : withQemuMac(v));
                } else {
                    conf.put(k, v);
                }
            }
            if (target != null && !shared) {
                throw PveException.die("can't clone " + type.word() + " to node '" + target + "' ("
                        + (type == GuestType.LXC ? "CT" : "VM") + " uses local storage)");
            }
            if (type == GuestType.LXC) {
                if (call.param("hostname") != null) {
                    conf.put("hostname", call.param("hostname"));
                }
            } else {
                conf.put("name", call.param("name") != null ? call.param("name") : "Copy-of-VM-" + src.name());
            }
            conf.remove("description");
            String description = call.param("description") != null && !call.param("description").isEmpty()
                    ? call.param("description") : source.get("description");
            if (description != null) {
                conf.put("description", Cluster.normalizeDescription(description));
            }
            boolean srcLocked = type == GuestType.LXC;
            if (srcLocked) {
                src.config.put("lock", "disk");
            }
            conf.put("lock", type == GuestType.LXC ? "create" : "clone");
            Guest clone = c.newGuest(newid, type, targetNode.name, conf);
            String cloneTarget = targetNode.name;
            // the firewall config (rules, IP sets, options) goes with the clone: pct copies it in the
            // API call, qm in its clone task; a snapshot clone gets the current one (it is not snapshotted)
            if (type == GuestType.LXC) {
                c.firewall.cloneGuest(src.vmid, newid);
            }
            Task t = c.startTask(call, node.name, type.task("clone"), Integer.toString(src.vmid), "clone", new Cluster.TaskWork() {
                @Override
                public CompletionStage<Void> run(Task task) {
                    task.log.add("create " + (full ? "full" : "linked") + " clone of " + type.word() + " " + src.vmid
                            + " to " + newid + " on node '" + cloneTarget + "'");
                    if (!clone.deleted && clone.lock() != null) {
                        String expected = type == GuestType.LXC ? "create" : "clone";
                        if (!expected.equals(clone.lock())) {
                            throw PveException.die("Lost '" + expected + "' config lock, aborting.");
                        }
                        clone.config.remove("lock");
                    }
                    if (type == GuestType.QEMU && !clone.deleted) {
                        c.firewall.cloneGuest(src.vmid, newid);
                    }
                    Cluster.copyTree(snapname == null ? src.workDir : c.snapshotDir(src, snapname), clone.workDir);
                    if (srcLocked && "disk".equals(src.lock())) {
                        src.config.remove("lock");
                    }
                    return null;
                }

                @Override
                public void fail(Task task, String error) {
                    if (srcLocked && "disk".equals(src.lock())) {
                        src.config.remove("lock");
                    }
                    if (!clone.deleted) {
                        c.firewall.removeGuest(newid);
                        c.removeGuest(clone);
                    }
                }
            });
            return t.upid;
        }
    }

    private static String withQemuMac(String net) {
        // QEMU nets are model=MAC[,bridge=…]: a clone gets a new MAC
        String mac = Cluster.randomMac();
        return net.replaceFirst("^(virtio|e1000|rtl8139|vmxnet3)=[0-9A-Fa-f:]+", "$1=" + mac);
    }

    private static int diskIndexOf(String key) {
        String digits = key.replaceAll("\\D", "");
        return digits.isEmpty() ? 0 : Integer.parseInt(digits);
    }

    private static String sizeSuffix(String volume) {
        int comma = volume.indexOf(',');
        return comma < 0 ? "" : volume.substring(comma);
    }

    private String newVolume(String sid, Cluster.StorageState st, int vmid, int index, String old) {
        String name = (st.type().equals("dir") ? vmid + "/" : "") + "vm-" + vmid + "-disk-" + index
                + (st.type().equals("dir") ? ".raw" : "");
        return sid + ":" + name + sizeSuffix(old);
    }

    // ---------------------------------------------------------------- network views

    public Object interfaces(Call call) {
        synchronized (c) {
            c.node(call.node());
            Guest g = c.load(call.node(), GuestType.LXC, call.vmid());
            if (!g.running) {
                return null;
            }
            List<Map<String, Object>> out = new ArrayList<>();
            out.add(lxcInterface("lo", "00:00:00:00:00:00", "127.0.0.1", 8));
            String net0 = g.config.get("net0");
            if (net0 != null) {
                String name = propertyOf(net0, "name", "eth0");
                String mac = propertyOf(net0, "hwaddr", "00:00:00:00:00:00");
                out.add(lxcInterface(name, mac, g.address, c.network().prefix()));
            }
            return out;
        }
    }

    private static Map<String, Object> lxcInterface(String name, String mac, String ipv4, int prefix) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("hwaddr", mac.toLowerCase());
        m.put("hardware-address", mac.toLowerCase());
        List<Map<String, Object>> addrs = new ArrayList<>();
        if (ipv4 != null) {
            m.put("inet", ipv4 + "/" + prefix);
            addrs.add(Map.of("ip-address", ipv4, "ip-address-type", "inet", "prefix", prefix));
        }
        if (name.equals("lo")) {
            m.put("inet6", "::1/128");
            addrs.add(Map.of("ip-address", "::1", "ip-address-type", "inet6", "prefix", 128));
        }
        m.put("ip-addresses", addrs);
        return m;
    }

    static String propertyOf(String propertyString, String key, String fallback) {
        for (String part : propertyString.split(",")) {
            if (part.startsWith(key + "=")) {
                return part.substring(key.length() + 1);
            }
        }
        return fallback;
    }

    private static String agentEnabled(Guest g) {
        String agent = g.config.get("agent");
        if (agent == null) {
            return "0";
        }
        String first = agent.split(",")[0];
        return first.equals("1") || first.equals("enabled=1") ? "1" : "0";
    }

    private void checkAgent(Guest g) {
        if (!"1".equals(agentEnabled(g))) {
            throw PveException.die("No QEMU guest agent configured");
        }
        if (!g.running) {
            throw PveException.die("VM " + g.vmid + " is not running");
        }
        if (g.paused || g.address == null) {
            throw PveException.die("QEMU guest agent is not running");
        }
    }

    public Object agentPing(Call call) {
        synchronized (c) {
            c.node(call.node());
            Guest g = c.load(call.node(), GuestType.QEMU, call.vmid());
            checkAgent(g);
            return Map.of("result", Map.of());
        }
    }

    public Object agentInterfaces(Call call) {
        synchronized (c) {
            c.node(call.node());
            Guest g = c.load(call.node(), GuestType.QEMU, call.vmid());
            checkAgent(g);
            List<Map<String, Object>> out = new ArrayList<>();
            out.add(agentInterface("lo", "00:00:00:00:00:00", "127.0.0.1", 8, "::1", 128));
            String net0 = g.config.get("net0");
            String mac = net0 == null ? "BC:24:11:00:00:01" : net0.replaceFirst("^[a-z0-9]+=([0-9A-Fa-f:]+).*$", "$1");
            out.add(agentInterface("eth0", mac, g.address, c.network().prefix(), null, 0));
            return Map.of("result", out);
        }
    }

    private static Map<String, Object> agentInterface(String name, String mac, String ipv4, int prefix, String ipv6, int prefix6) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("hardware-address", mac.toLowerCase());
        List<Map<String, Object>> addrs = new ArrayList<>();
        addrs.add(Map.of("ip-address", ipv4, "ip-address-type", "ipv4", "prefix", prefix));
        if (ipv6 != null) {
            addrs.add(Map.of("ip-address", ipv6, "ip-address-type", "ipv6", "prefix", prefix6));
        }
        m.put("ip-addresses", addrs);
        m.put("statistics", Map.of("rx-bytes", 0, "rx-dropped", 0, "rx-errs", 0, "rx-packets", 0, "tx-bytes", 0,
                "tx-dropped", 0, "tx-errs", 0, "tx-packets", 0));
        return m;
    }

    // ---------------------------------------------------------------- delete and template

    public Object delete(Call call, GuestType type) {
        synchronized (c) {
            c.node(call.node());
            checkSkiplock(call);
            Guest g = c.load(call.node(), type, call.vmid());
            boolean lxc = type == GuestType.LXC;
            if ("1".equals(g.config.get("protection"))) {
                throw PveException.die("can't remove " + g.label() + " - protection mode enabled");
            }
            if (lxc || !call.flag("skiplock")) {
                Cluster.checkLock(g);
            }
            if (g.running) {
                if (!lxc) {
                    throw PveException.die("VM " + g.vmid + " is running - destroy failed");
                }
                if (!call.flag("force")) {
                    throw PveException.die("unable to destroy CT " + g.vmid + " - container is running");
                }
            }
            return c.startTask(call, g.node, type.task("destroy"), Integer.toString(g.vmid), "destroy", Cluster.TaskWork.withoutUndo(task -> {
                if (g.deleted) {
                    return null;
                }
                CompletionStage<Void> stopped = g.running ? c.stopListeners(g) : Cluster.done();
                task.log.add("Removing image: 100% complete...done.");
                // the config goes last, as in PVE ("else we can have reuse race")
                return stopped.thenAccept(v -> {
                    synchronized (c) {
                        if (!g.deleted) {
                            // pct and qm destroy remove the firewall config always, with or without purge
                            c.firewall.removeGuest(g.vmid);
                            c.removeGuest(g);
                        }
                    }
                });
            })).upid;
        }
    }

    public Object template(Call call, GuestType type) {
        synchronized (c) {
            c.node(call.node());
            Guest g = c.load(call.node(), type, call.vmid());
            boolean lxc = type == GuestType.LXC;
            // PVE's order: lock, snapshots, already a template, running
            Cluster.checkLock(g);
            if (!g.snapshots.isEmpty()) {
                throw PveException.die("unable to create template, because " + type.word() + " contains snapshots");
            }
            if (g.isTemplate()) {
                throw PveException.die("you can't convert a template to a template");
            }
            if (g.running) {
                throw PveException.die(lxc ? "you can't convert a CT to template if the CT is running"
                        : "you can't convert a VM to template if VM is running");
            }
            Task t = c.startTask(call, g.node, type.task("template"), Integer.toString(g.vmid), "template", Cluster.TaskWork.withoutUndo(task -> {
                if (g.deleted) {
                    throw PveException.die("Configuration file 'nodes/" + g.node + "/" + type.configDir() + "/" + g.vmid
                            + ".conf' does not exist");
                }
                Cluster.checkLock(g);
                for (Map.Entry<String, String> e : g.config.entrySet()) {
                    if (Cluster.isVolumeKey(type, e.getKey())) {
                        e.setValue(e.getValue().replaceFirst(":(\\d+/)?vm-", ":$1base-"));
                    }
                }
                g.config.put("template", "1");
                task.log.add("converting " + g.label() + " to template");
                return null;
            }));
            // LXC forks the worker and discards its UPID; QEMU returns it
            return lxc ? null : t.upid;
        }
    }

    // ---------------------------------------------------------------- snapshots

    public Object snapshots(Call call, GuestType type) {
        synchronized (c) {
            c.node(call.node());
            Guest g = c.load(call.node(), type, call.vmid());
            List<Map<String, Object>> out = new ArrayList<>();
            for (Guest.Snapshot s : g.snapshots.values()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", s.name());
                m.put("description", s.description() == null ? "" : s.description());
                m.put("snaptime", s.snaptime());
                if (s.parent() != null) {
                    m.put("parent", s.parent());
                }
                if (type == GuestType.QEMU) {
                    m.put("vmstate", 0);
                }
                out.add(m);
            }
            Map<String, Object> current = new LinkedHashMap<>();
            current.put("name", "current");
            current.put("description", "You are here!");
            if (g.config.get("parent") != null) {
                current.put("parent", g.config.get("parent"));
            }
            out.add(current);
            return out;
        }
    }

    public Object snapshot(Call call, GuestType type) {
        synchronized (c) {
            c.node(call.node());
            Guest g = c.load(call.node(), type, call.vmid());
            String name = call.param("snapname");
            if (name.equals("current") || name.equals("vzdump")) {
                throw PveException.die("unable to use snapshot name '" + name + "' (reserved name)");
            }
            return c.startTask(call, g.node, type.task("snapshot"), Integer.toString(g.vmid), "snapshot", Cluster.TaskWork.withoutUndo(task -> {
                if (g.snapshots.containsKey(name)) {
                    throw PveException.die("snapshot name '" + name + "' already used");
                }
                if (g.isTemplate()) {
                    throw PveException.die("you can't take a snapshot if it's a template");
                }
                Cluster.checkLock(g);
                Map<String, String> conf = new LinkedHashMap<>(g.config);
                conf.remove("parent");
                Cluster.copyTree(g.workDir, c.snapshotDir(g, name));
                String description = call.param("description");
                g.snapshots.put(name, new Guest.Snapshot(name, conf, description == null ? null
                        : Cluster.normalizeDescription(description), Instant.now().getEpochSecond(), g.config.get("parent"),
                        c.snapshotDir(g, name)));
                g.config.put("parent", name);
                task.log.add("snapshot '" + name + "' created");
                return null;
            })).upid;
        }
    }

    public Object deleteSnapshot(Call call, GuestType type) {
        synchronized (c) {
            c.node(call.node());
            Guest g = c.load(call.node(), type, call.vmid());
            String name = call.param("snapname");
            return c.startTask(call, g.node, type.task("delsnapshot"), Integer.toString(g.vmid), "snapshot", Cluster.TaskWork.withoutUndo(task -> {
                Guest.Snapshot s = g.snapshots.get(name);
                if (s == null) {
                    throw PveException.die("snapshot '" + name + "' does not exist");
                }
                if (!call.flag("force")) {
                    Cluster.checkLock(g);
                }
                g.snapshots.remove(name);
                g.snapshots.replaceAll((k, v) -> name.equals(v.parent())
                        ? new Guest.Snapshot(v.name(), v.config(), v.description(), v.snaptime(), s.parent(), v.files()) : v);
                if (name.equals(g.config.get("parent"))) {
                    if (s.parent() == null) {
                        g.config.remove("parent");
                    } else {
                        g.config.put("parent", s.parent());
                    }
                }
                Cluster.deleteTree(s.files());
                return null;
            })).upid;
        }
    }

    public Object rollback(Call call, GuestType type) {
        synchronized (c) {
            c.node(call.node());
            Guest g = c.load(call.node(), type, call.vmid());
            String name = call.param("snapname");
            boolean start = call.flag("start");
            return c.startTask(call, g.node, type.task("rollback"), Integer.toString(g.vmid), "rollback", Cluster.TaskWork.withoutUndo(task -> {
                Guest.Snapshot s = g.snapshots.get(name);
                if (s == null) {
                    throw PveException.die("snapshot '" + name + "' does not exist");
                }
                Cluster.checkLock(g);
                CompletionStage<Void> stopped = g.running ? c.stopListeners(g) : Cluster.done();
                g.config.clear();
                g.config.putAll(s.config());
                g.config.put("parent", name);
                Cluster.deleteTree(g.workDir);
                Cluster.copyTree(s.files(), g.workDir);
                return stopped.thenCompose(v -> {
                    synchronized (c) {
                        return start && !g.deleted ? c.startListeners(g) : Cluster.done();
                    }
                });
            })).upid;
        }
    }

    public Object snapshotConfig(Call call, GuestType type) {
        synchronized (c) {
            c.node(call.node());
            Guest g = c.load(call.node(), type, call.vmid());
            Guest.Snapshot s = g.snapshots.get(call.param("snapname"));
            if (s == null) {
                throw PveException.die("snapshot '" + call.param("snapname") + "' does not exist");
            }
            Map<String, Object> out = new LinkedHashMap<>(s.config());
            if (s.description() != null) {
                out.put("description", s.description());
            }
            out.put("snaptime", s.snaptime());
            if (s.parent() != null) {
                out.put("parent", s.parent());
            }
            return out;
        }
    }

    public Object updateSnapshotConfig(Call call, GuestType type) {
        synchronized (c) {
            c.node(call.node());
            Guest g = c.load(call.node(), type, call.vmid());
            Guest.Snapshot s = g.snapshots.get(call.param("snapname"));
            if (s == null) {
                throw PveException.die("snapshot '" + call.param("snapname") + "' does not exist");
            }
            if (call.param("description") != null) {
                g.snapshots.put(s.name(), new Guest.Snapshot(s.name(), s.config(),
                        Cluster.normalizeDescription(call.param("description")), s.snaptime(), s.parent(), s.files()));
            }
            return null;
        }
    }
}
