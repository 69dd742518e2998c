package io.sandplane.sandboxapi.rest.dto;

/** The calling team, its quotas and how much of them is used. */
public record TeamUsage(TeamView team, long liveSandboxes, long startsLastHour) {
}
