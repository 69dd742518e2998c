package io.sandplane.sandboxapi.rest.dto;

/** @param name a label to recognise the key by (e.g. where it is used) */
public record CreateKeyRequest(String name) {
}
