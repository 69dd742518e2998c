package io.sandplane.reaper.decision;

import java.util.List;

/**
 * What a pass decided.
 *
 * @param actions           to take now, most overdue first
 * @param deferred          destructive actions over the cap, left for the next passes
 * @param holds             what the rules would do but must not do now, and why
 * @param sightingsToSave   orphan sightings that are new or changed
 * @param sightingsToForget sightings of guests that are gone or have an owner again
 * @param destructiveWanted how many destructive actions the rules asked for, before the cap
 * @param cap               the cap that was applied
 */
public record ReapPlan(
        List<ReapAction> actions,
        List<ReapAction> deferred,
        List<Hold> holds,
        List<OrphanSighting> sightingsToSave,
        List<OrphanSighting> sightingsToForget,
        int destructiveWanted,
        int cap) {

    public ReapPlan {
        actions = List.copyOf(actions);
        deferred = List.copyOf(deferred);
        holds = List.copyOf(holds);
        sightingsToSave = List.copyOf(sightingsToSave);
        sightingsToForget = List.copyOf(sightingsToForget);
    }

    /** The rules wanted more destructive actions than the cap allows: something may be badly wrong. */
    public boolean capReached() {
        return !deferred.isEmpty();
    }
}
