package io.sandplane.sandboxapi.rest.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import java.time.Instant;

/**
 * One entry of a sandbox's history.
 *
 * @param progress for step events: completed steps of a start out of {@code totalSteps}, for a progress bar
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventView(long id, SandboxEvent.Type type, SandboxStatus fromStatus, SandboxStatus toStatus,
        ProvisionStep step, Integer progress, Integer totalSteps, String detail, String actor, Instant at) {

    public static EventView of(SandboxEvent e) {
        Integer progress = e.step == null ? null : e.step.ordinal() + 1;
        Integer total = e.step == null ? null : ProvisionStep.values().length;
        return new EventView(e.id, e.type, e.fromStatus, e.toStatus, e.step, progress, total, e.detail, e.actor, e.at);
    }
}
