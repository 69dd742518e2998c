package io.sandplane.sandboxapi.rest.dto;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** @param ttlSeconds new lifetime counted from now; the sandbox's own TTL when absent (a keepalive) */
public record ExtendTtlRequest(@Schema(examples = "3600") Long ttlSeconds) {
}
