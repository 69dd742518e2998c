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
     * Replaces (or adds) {@code bridge=} in a {@code net0} property string, keeping everything else
     * the template set (VLAN tag, firewall, MTU); null if nothing changes. A template without
     * {@code net0} is left without one: Sandplane does not invent a network the operator did not define.
     */
    static String withBridge(String net0, String bridge) {
        if (net0 == null || net0.isBlank()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        boolean found = false;
        boolean changed = false;
        for (String part : net0.split(",")) {
            String piece = part;
            if (part.startsWith("bridge=")) {
                found = true;
                if (!part.equals("bridge=" + bridge)) {
                    piece = "bridge=" + bridge;
                    changed = true;
                }
            }
            out.append(out.isEmpty() ? "" : ",").append(piece);
        }
        if (!found) {
            out.append(",bridge=").append(bridge);
            changed = true;
        }
        return changed ? out.toString() : null;
    }
}
