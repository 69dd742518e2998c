package io.sandplane.reaper.service;

import io.sandplane.model.api.ReaperPassReport.ActionOutcome;
import io.sandplane.reaper.decision.ReapAction;

/** A decided action and what became of it. */
public record Taken(ReapAction action, ActionOutcome outcome, String detail) {
}
