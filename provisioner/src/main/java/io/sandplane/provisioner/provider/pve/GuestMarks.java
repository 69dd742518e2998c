package io.sandplane.provisioner.provider.pve;

import io.sandplane.model.pve.GuestTags;
import io.sandplane.model.pve.PveValues;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * How a guest says whose it is: tags ({@code sandplane}, the sandbox id, {@code team-<slug>}) and a
 * description naming the sandbox, team and creation time. The clone already carries a description
 * naming the sandbox, so a guest whose configuration step never ran is still recognisable.
 */
final class GuestMarks {

    private GuestMarks() {
    }

    static String hostname(int vmid) {
        return PveValues.requireHostname("cmux-" + vmid);
    }

    static String tags(String sandboxId, String teamSlug) {
        return PveValues.normalizeTags(GuestTags.forSandbox(sandboxId, teamSlug));
    }

    /** Written with the clone, before the guest has tags. */
    static String cloneDescription(String sandboxId) {
        return PveValues.requireDescription("Sandplane sandbox " + sandboxId + " (provisioning)");
    }

    static String description(String sandboxId, String teamSlug, Instant createdAt) {
        return PveValues.requireDescription("Sandplane sandbox " + sandboxId + "\n"
                + "team " + teamSlug + "\n"
                + "created " + createdAt.truncatedTo(ChronoUnit.SECONDS) + "\n"
                + "Managed by Sandplane: delete the sandbox, not this container.");
    }

    /** Does PVE's view of the guest (tags, description) name this sandbox? */
    static boolean ownedBy(String sandboxId, String tags, String description) {
        return taggedFor(sandboxId, tags) || (description != null && description.contains(sandboxId));
    }

    static boolean taggedFor(String sandboxId, String tags) {
        GuestTags parsed = GuestTags.parse(tags);
        return parsed.managed() && parsed.sandboxId().map(sandboxId::equals).orElse(false);
    }

    /**
     * Replaces (or adds) {@code bridge=} in a {@code net0} property string and, when {@code firewall} is asked for,
     * sets {@code firewall=1} (only then is the NIC plugged behind PVE's firewall bridge), keeping everything else the
     * template set (VLAN tag, MTU, the clone's own MAC address); null if nothing changes. A template without
     * {@code net0} is left without one: Sandplane does not invent a network the operator did not define.
     */
    static String withNet(String net0, String bridge, boolean firewall) {
        if (net0 == null || net0.isBlank()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        boolean bridgeFound = false;
        boolean firewallFound = false;
        boolean changed = false;
        for (String part : net0.split(",")) {
            String piece = part;
            if (part.startsWith("bridge=")) {
                bridgeFound = true;
                piece = "bridge=" + bridge;
            } else if (firewall && part.startsWith("firewall=")) {
                firewallFound = true;
                piece = "firewall=1";
            }
            changed |= !piece.equals(part);
            out.append(out.isEmpty() ? "" : ",").append(piece);
        }
        if (!bridgeFound) {
            out.append(",bridge=").append(bridge);
            changed = true;
        }
        if (firewall && !firewallFound) {
            out.append(",firewall=1");
            changed = true;
        }
        return changed ? out.toString() : null;
    }

    /** {@code net0} with {@code firewall=1} and everything else as it was; null if it has it already or there is none. */
    static String withFirewall(String net0) {
        if (net0 == null || net0.isBlank() || firewallOn(net0)) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (String part : net0.split(",")) {
            if (!part.startsWith("firewall=")) {
                out.append(out.isEmpty() ? "" : ",").append(part);
            }
        }
        return out.append(",firewall=1").toString();
    }

    /** Whether a {@code net0} property string has PVE's firewall flag set (PVE reads any true value as on). */
    static boolean firewallOn(String net0) {
        if (net0 == null) {
            return false;
        }
        for (String part : net0.split(",")) {
            if (part.startsWith("firewall=")) {
                String value = part.substring("firewall=".length()).toLowerCase(java.util.Locale.ROOT);
                return value.equals("1") || value.equals("yes") || value.equals("on") || value.equals("true");
            }
        }
        return false;
    }
}
