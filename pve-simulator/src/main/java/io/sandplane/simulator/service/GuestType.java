package io.sandplane.simulator.service;

/** The two kinds of guest PVE runs, with the words PVE uses for each in paths and messages. */
public enum GuestType {
    LXC("lxc", "CT", "lxc", "vz"),
    QEMU("qemu", "VM", "qemu-server", "qm");

    private final String apiName;
    private final String word;
    private final String configDir;
    private final String taskPrefix;

    GuestType(String apiName, String word, String configDir, String taskPrefix) {
        this.apiName = apiName;
        this.word = word;
        this.configDir = configDir;
        this.taskPrefix = taskPrefix;
    }

    /** {@code lxc} or {@code qemu}, as in API paths and {@code /cluster/resources}. */
    public String apiName() {
        return apiName;
    }

    /** {@code CT} or {@code VM}, as in PVE's messages. */
    public String word() {
        return word;
    }

    /** Where PVE keeps the config file under /etc/pve/nodes/NODE/. */
    public String configDir() {
        return configDir;
    }

    /** A task type such as {@code vzclone} or {@code qmclone}. */
    public String task(String action) {
        return taskPrefix + action;
    }

    /** The per-guest file lock PVE takes; timing out on it gives the well-known "got timeout". */
    public String lockFile(int vmid) {
        return this == LXC ? "/run/lock/lxc/pve-config-" + vmid + ".lock" : "/var/lock/qemu-server/lock-" + vmid + ".conf";
    }

    public static GuestType fromApiName(String name) {
        return switch (name) {
            case "lxc" -> LXC;
            case "qemu" -> QEMU;
            default -> throw new IllegalArgumentException("unknown guest type " + name);
        };
    }
}
