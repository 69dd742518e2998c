package io.sandplane.model.pve;

import io.sandplane.model.lifecycle.SandboxIds;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The tags that mark a guest as Sandplane's. The reaper deletes a guest only when it carries
 * {@link #MANAGED}; the sandbox tag ties it to its row even if the database lost track of the VMID.
 *
 * @param managed    the guest carries {@code sandplane}
 * @param sandboxId  the {@code sbx_…} tag, if any
 * @param teamSlug   the slug from the {@code team-…} tag, if any
 */
public record GuestTags(boolean managed, Optional<String> sandboxId, Optional<String> teamSlug) {

    public static final String MANAGED = "sandplane";
    public static final String TEAM_PREFIX = "team-";

    /** The tags written on a new guest. */
    public static List<String> forSandbox(String sandboxId, String teamSlug) {
        return List.of(MANAGED, sandboxId, TEAM_PREFIX + teamSlug);
    }

    /** Reads a PVE tag string (any separator, any case, as an older PVE or a human may have written it). */
    public static GuestTags parse(String tags) {
        boolean managed = false;
        String sandbox = null;
        String team = null;
        for (String raw : PveValues.splitTags(tags)) {
            String tag = raw.toLowerCase(Locale.ROOT);
            if (tag.equals(MANAGED)) {
                managed = true;
            } else if (SandboxIds.isValid(tag)) {
                sandbox = tag;
            } else if (tag.startsWith(TEAM_PREFIX) && tag.length() > TEAM_PREFIX.length()) {
                team = tag.substring(TEAM_PREFIX.length());
            }
        }
        return new GuestTags(managed, Optional.ofNullable(sandbox), Optional.ofNullable(team));
    }
}
