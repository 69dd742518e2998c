package io.sandplane.model.api;

import io.sandplane.model.service.AuthMode;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** @param authMode who may reach it; {@code token} when absent */
public record ExposeServiceRequest(@NotNull @Min(1) @Max(65535) Integer port, AuthMode authMode) {

    public AuthMode effectiveAuthMode() {
        return authMode == null ? AuthMode.TOKEN : authMode;
    }
}
