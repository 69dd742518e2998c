package io.sandplane.sandboxapi.rest.dto;

import java.util.List;

/** @param nextCursor pass as {@code cursor} for the next page; null on the last page */
public record SandboxPage(List<SandboxView> sandboxes, String nextCursor) {
}
