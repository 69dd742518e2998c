package io.sandplane.sandboxapi.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * sandbox-api's settings: {@code sandplane.api.*}, each settable by its environment variable
 * ({@code SANDPLANE_API_LIMITS_MAX_TTL_SECONDS}, …); the operator token and provider come from the
 * shared names {@code SANDPLANE_OPERATOR_TOKEN} and {@code SANDPLANE_PROVIDER} (application.properties).
 */
@ConfigMapping(prefix = "sandplane.api")
public interface ApiConfig {

    /** {@code SANDPLANE_OPERATOR_TOKEN}: bearer token for {@code /api/admin}; the admin API is closed without it. */
    Optional<String> operatorToken();

    /** {@code SANDPLANE_PROVIDER}: the provider new sandboxes run on and the config endpoint reports. */
    String provider();

    /**
     * {@code SANDPLANE_API_PUBLIC_URL}: where clients reach this API (scheme, host, port, any path prefix a
     * proxy adds); the base of the absolute URLs the API hands out, e.g. {@code Location}.
     */
    @WithDefault("http://localhost:8080")
    String publicUrl();

    Limits limits();

    Quotas quotas();

    Idempotency idempotency();

    Upstream upstream();

    Events events();

    interface Limits {
        /** {@code SANDPLANE_API_LIMITS_DEFAULT_TTL_SECONDS} */
        @WithDefault("3600")
        int defaultTtlSeconds();

        /** {@code SANDPLANE_API_LIMITS_MAX_TTL_SECONDS}: longest TTL a start or an extension may ask for. */
        @WithDefault("86400")
        int maxTtlSeconds();

        @WithDefault("60")
        int minIdleTimeoutSeconds();

        @WithDefault("32")
        int metadataMaxEntries();

        @WithDefault("63")
        int metadataMaxKeyLength();

        @WithDefault("512")
        int metadataMaxValueLength();

        /** Keys plus values, UTF-8 bytes. */
        @WithDefault("4096")
        int metadataMaxBytes();

        /**
         * {@code SANDPLANE_API_LIMITS_MAX_REQUEST_LINE_BYTES}: method, target (path and query) and version;
         * a longer one is a 414 problem. The HTTP server's own wall ({@code quarkus.http.limits.max-initial-line-length})
         * stands well above it.
         */
        @WithDefault("8192")
        int maxRequestLineBytes();

        /** {@code SANDPLANE_API_LIMITS_MAX_HEADER_BYTES}: all header lines together; more is a 431 problem. */
        @WithDefault("20480")
        int maxHeaderBytes();

        /** {@code SANDPLANE_API_LIMITS_MAX_BODY_BYTES}: a request body; more is a 413 problem. */
        @WithDefault("10485760")
        long maxBodyBytes();

        @WithDefault("50")
        int defaultPageSize();

        @WithDefault("200")
        int maxPageSize();
    }

    interface Quotas {
        /** Quotas a new team gets unless the operator says otherwise. */
        @WithDefault("10")
        int defaultMaxLiveSandboxes();

        /** Starts per rolling hour (the seed's plan: 10). */
        @WithDefault("10")
        int defaultStartsPerHour();

        /** Retry-After sent when the concurrent-sandbox quota is full (nobody knows when one will end). */
        @WithDefault("30")
        int liveQuotaRetryAfterSeconds();
    }

    interface Idempotency {
        /** How long an Idempotency-Key is remembered. */
        @WithDefault("PT24H")
        Duration retention();

        /**
         * {@code SANDPLANE_API_IDEMPOTENCY_PURGE_INTERVAL}: how often each replica deletes expired keys
         * (replicas skip each other's rows, so running it everywhere is safe).
         */
        @WithDefault("PT10M")
        Duration purgeInterval();

        /** Expired keys deleted per transaction, so a large backlog never holds many row locks for long. */
        @WithDefault("1000")
        int purgeBatchSize();
    }

    interface Upstream {
        /** Longest a start (or a resume) may take before the API stops waiting for the provisioner. */
        @WithDefault("PT5M")
        Duration startTimeout();

        /** Retry-After sent when the provisioner or url-router cannot be reached. */
        @WithDefault("5")
        int retryAfterSeconds();
    }

    interface Events {
        /** How often an open event stream looks for new rows. */
        @WithDefault("PT0.2S")
        Duration pollInterval();

        /** Comment lines keep idle streams open through proxies. */
        @WithDefault("PT15S")
        Duration heartbeat();
    }
}
