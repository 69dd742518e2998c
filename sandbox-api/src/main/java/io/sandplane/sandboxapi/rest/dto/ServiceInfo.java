package io.sandplane.sandboxapi.rest.dto;

import io.sandplane.model.service.AuthMode;

/** An exposed port of a sandbox and the URL that reaches it. */
public record ServiceInfo(String name, int port, AuthMode authMode, String url) {
}
