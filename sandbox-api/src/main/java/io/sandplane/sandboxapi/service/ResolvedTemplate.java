package io.sandplane.sandboxapi.service;

import io.sandplane.model.provider.Provider;

/**
 * What a start asked for, resolved against the {@code templates} table.
 *
 * @param snapshotId the snapshot id as sent, or the resolved version's when a preset was asked for
 */
public record ResolvedTemplate(Provider provider, String presetId, int version, String snapshotId) {
}
