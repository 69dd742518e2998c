package io.sandplane.model.provider;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sandplane.model.InvalidValueException;

/** The hypervisor back-ends a sandbox can run on. */
public enum Provider {
    PVE_LXC("pve-lxc", "pvelxc", "Proxmox LXC", new Capabilities(false, true, true, false, false)),
    PVE_VM("pve-vm", "pvevm", "Proxmox VM", new Capabilities(true, true, true, true, true)),
    MORPH("morph", "morph", "Morph Cloud", new Capabilities(true, true, false, false, false));

    private final String id;
    private final String snapshotToken;
    private final String displayName;
    private final Capabilities capabilities;

    Provider(String id, String snapshotToken, String displayName, Capabilities capabilities) {
        this.id = id;
        this.snapshotToken = snapshotToken;
        this.displayName = displayName;
        this.capabilities = capabilities;
    }

    /** The external name, e.g. {@code pve-lxc}. */
    @JsonValue
    public String id() {
        return id;
    }

    /** The provider part of a unified snapshot id, e.g. {@code pvelxc}. */
    public String snapshotToken() {
        return snapshotToken;
    }

    public String displayName() {
        return displayName;
    }

    public Capabilities capabilities() {
        return capabilities;
    }

    @JsonCreator
    public static Provider fromId(String id) {
        for (Provider p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new InvalidValueException("provider",
                "unknown provider " + InvalidValueException.quote(id) + "; expected one of pve-lxc, pve-vm, morph");
    }

    /** The provider named by the first part of a unified snapshot id, e.g. {@code pvelxc}. */
    public static Provider fromSnapshotToken(String token) {
        for (Provider p : values()) {
            if (p.snapshotToken.equals(token)) {
                return p;
            }
        }
        throw new InvalidValueException("snapshotId", "unknown provider " + InvalidValueException.quote(token));
    }
}
