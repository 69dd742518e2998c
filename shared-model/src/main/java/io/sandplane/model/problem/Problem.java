package io.sandplane.model.problem;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * RFC 9457 problem details, the body of every 4xx/5xx a Sandplane service sends.
 *
 * @param errors field errors for validation problems
 * @param extensions extra members (e.g. {@code currentStatus}) rendered at the top level
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
        String type,
        String title,
        int status,
        String detail,
        String instance,
        List<FieldError> errors,
        @com.fasterxml.jackson.annotation.JsonIgnore Map<String, Object> extensions) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "urn:sandplane:problem:";
    /** Extension member carrying seconds; also sent as the {@code Retry-After} header. */
    public static final String RETRY_AFTER = "retryAfter";

    public record FieldError(String field, String message) {
    }

    /** The type slug of a problem named after its HTTP status: "Unsupported Media Type" → {@code unsupported-media-type}. */
    public static String slug(String title) {
        return title.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    @JsonAnyGetter
    public Map<String, Object> anyExtensions() {
        return extensions == null ? Map.of() : extensions;
    }
}
