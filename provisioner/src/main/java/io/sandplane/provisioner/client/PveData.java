package io.sandplane.provisioner.client;

/** PVE's success envelope: {@code {"data": …}}. */
public record PveData<T>(T data) {
}
