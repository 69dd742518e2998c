package io.sandplane.sandboxapi.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sandplane.model.InvalidValueException;
import io.sandplane.model.Secrets;
import io.sandplane.model.lifecycle.TtlAction;
import io.sandplane.model.network.NetworkPolicy;
import io.sandplane.sandboxapi.config.ApiConfig;
import io.sandplane.sandboxapi.rest.dto.CreateSandboxRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Checks a start request against the rules and the configured limits and turns it into a {@link StartPlan}. */
@ApplicationScoped
public class StartRequests {

    /** Label keys: a letter or digit, then letters, digits and {@code . _ / -}. */
    private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");
    /** Canonical form for hashing: sorted members and map keys, so equal requests hash equal. */
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private final ApiConfig.Limits limits;
    private final TemplateResolver templates;

    public StartRequests(ApiConfig config, TemplateResolver templates) {
        this.limits = config.limits();
        this.templates = templates;
    }

    /**
     * @param origin         which API the request came through ({@code api} or {@code cmux}); part of the request's identity
     * @param idempotencyKey the start's key, if any: only then is the request's identity hashed (for comparing with a
     *                       later start that sends the same key)
     */
    public StartPlan plan(CreateSandboxRequest request, String origin, Optional<String> idempotencyKey) {
        if (request == null) {
            throw RequestInvalid.of("body", "a JSON object is required");
        }
        RequestInvalid.Collector errors = new RequestInvalid.Collector();
        if (request.snapshotId() != null && request.preset() != null) {
            errors.add("snapshotId", "give snapshotId or preset, not both");
        }
        if (request.version() != null && request.preset() == null) {
            errors.add("version", "version needs a preset");
        }
        if (request.version() != null && request.version() < 1) {
            errors.add("version", "version must be 1 or more");
        }
        long ttl = request.ttlSeconds() == null ? limits.defaultTtlSeconds() : request.ttlSeconds();
        if (ttl < 1 || ttl > limits.maxTtlSeconds()) {
            errors.add("ttlSeconds", "ttlSeconds must be between 1 and " + limits.maxTtlSeconds());
        }
        Long idle = request.idleTimeoutSeconds();
        if (idle != null && (idle < limits.minIdleTimeoutSeconds() || idle > limits.maxTtlSeconds())) {
            errors.add("idleTimeoutSeconds", "idleTimeoutSeconds must be between " + limits.minIdleTimeoutSeconds()
                    + " and " + limits.maxTtlSeconds());
        }
        TtlAction action = TtlAction.PAUSE;
        if (request.ttlAction() != null) {
            try {
                action = TtlAction.fromId(request.ttlAction());
            } catch (InvalidValueException e) {
                errors.add("ttlAction", e.getMessage());
            }
        }
        Map<String, String> metadata = checkMetadata(request.metadata(), errors);
        NetworkPolicy network = request.network() == null ? null
                : request.network().check("network", errors::add).orElse(null);
        errors.throwIfAny();

        ResolvedTemplate template = request.snapshotId() != null
                ? templates.bySnapshotId(request.snapshotId())
                : templates.byPreset(request.preset(), request.version());
        boolean wakeOnHttp = request.wakeOnHttp() != null && request.wakeOnHttp();

        String requestHash = null;
        if (idempotencyKey.isPresent()) {
            Map<String, Object> identity = new LinkedHashMap<>();
            identity.put("origin", origin);
            identity.put("request", identity(request, network));
            requestHash = hash(identity);
        }
        return new StartPlan(template, (int) ttl, action, idle == null ? null : idle.intValue(), wakeOnHttp, metadata,
                network, request.waitForRunning(), requestHash);
    }

    /**
     * The request as it identifies a start: as sent, its network policy in canonical form, so that two spellings
     * of one policy ({@code "protocol":"tcp"} or none, {@code 2001:DB8::/32} or {@code 2001:db8::/32}) are one
     * request. Without a policy it is the request itself, as before there were policies: keys recorded by an
     * earlier version still match their retries.
     */
    private static Object identity(CreateSandboxRequest request, NetworkPolicy network) {
        if (network == null) {
            return request;
        }
        ObjectNode tree = CANONICAL.valueToTree(request);
        tree.set("network", CANONICAL.valueToTree(network));
        return tree;
    }

    public Map<String, String> checkMetadata(Map<String, String> metadata, RequestInvalid.Collector errors) {
        if (metadata == null) {
            return Map.of();
        }
        if (metadata.size() > limits.metadataMaxEntries()) {
            errors.add("metadata", "at most " + limits.metadataMaxEntries() + " entries are allowed, got " + metadata.size());
            return Map.of();
        }
        int bytes = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String key = e.getKey();
            String field = "metadata." + InvalidValueException.quote(key).replace("'", "");
            if (key.isEmpty() || key.length() > limits.metadataMaxKeyLength() || !METADATA_KEY.matcher(key).matches()) {
                errors.add(field, "keys are 1-" + limits.metadataMaxKeyLength()
                        + " characters: letters, digits and . _ / - (starting with a letter or digit)");
            }
            String value = e.getValue();
            if (value == null) {
                errors.add(field, "values must be strings, not null");
                continue;
            }
            if (value.length() > limits.metadataMaxValueLength()) {
                errors.add(field, "values may be at most " + limits.metadataMaxValueLength() + " characters long");
            }
            if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                errors.add(field, "values may not contain control characters");
            }
            bytes += key.getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes > limits.metadataMaxBytes()) {
            errors.add("metadata", "metadata is " + bytes + " bytes; at most " + limits.metadataMaxBytes() + " are allowed");
        }
        return new TreeMap<>(metadata);
    }

    /**
     * Empty when the header is absent; 400 when it is sent but is not one key of 1-255 visible ASCII
     * characters: an empty or blank value, two headers, or a value with spaces or other characters is
     * refused, never read as "no key", which would start a new sandbox on every retry.
     *
     * @param values every {@code Idempotency-Key} header of the request, as the HTTP server read them
     */
    public Optional<String> idempotencyKey(List<String> values) {
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw RequestInvalid.of("Idempotency-Key", "send one Idempotency-Key header, not " + values.size());
        }
        String key = values.getFirst();
        if (!IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw RequestInvalid.of("Idempotency-Key", key.isBlank()
                    ? "the Idempotency-Key header is empty; send 1-255 visible ASCII characters or no header"
                    : "the Idempotency-Key header must be 1-255 visible ASCII characters");
        }
        return Optional.of(key);
    }

    private static String hash(Object identity) {
        try {
            return Secrets.sha256Hex(CANONICAL.writeValueAsString(identity));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a start request", e);
        }
    }
}
