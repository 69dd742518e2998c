package io.sandplane.reaper.decision;

import java.util.List;
import java.util.Optional;

/** What the rules say about one sandbox row: at most one action, and what they hold back. */
public record RowVerdict(Optional<ReapAction> action, List<Hold> holds) {

    static final RowVerdict NOTHING = new RowVerdict(Optional.empty(), List.of());

    public RowVerdict {
        holds = List.copyOf(holds);
    }
}
