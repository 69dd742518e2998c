package io.sandplane.sandboxapi.rest.dto;

/**
 * @param maxLiveSandboxes sandboxes that may exist at once (provisioning, running, paused, stopped, deleting)
 * @param startsPerHour    starts admitted per rolling hour
 */
public record Quotas(Integer maxLiveSandboxes, Integer startsPerHour) {
}
