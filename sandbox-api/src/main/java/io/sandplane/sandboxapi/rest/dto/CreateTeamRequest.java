package io.sandplane.sandboxapi.rest.dto;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** @param quotas the defaults from the configuration when absent */
public record CreateTeamRequest(@Schema(examples = "acme") String slug, @Schema(examples = "Acme Inc.") String name,
        Quotas quotas) {
}
