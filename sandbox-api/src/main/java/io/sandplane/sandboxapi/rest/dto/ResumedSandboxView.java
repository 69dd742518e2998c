package io.sandplane.sandboxapi.rest.dto;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** The sandbox after a resume, plus cmux's {@code resumed: true} so cmux frontends read the same answer. */
public record ResumedSandboxView(boolean resumed, @JsonUnwrapped SandboxView sandbox) {
}
