package io.sandplane.model.provider;

/**
 * What a provider can do. Field names follow cmux's {@code SANDBOX_PROVIDER_CAPABILITIES} so the
 * config endpoint stays compatible with cmux frontends.
 *
 * @param supportsHibernate pause keeps memory state (false for LXC: pause is a stop)
 */
public record Capabilities(
        boolean supportsHibernate,
        boolean supportsSnapshots,
        boolean supportsResize,
        boolean supportsNestedVirt,
        boolean supportsGpu) {
}
