package io.sandplane.model.api;

import io.sandplane.model.service.AuthMode;

/** An exposed service of a sandbox. */
public record ServiceView(String name, int port, AuthMode authMode, String url) {
}
