package io.sandplane.sandboxapi.rest.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.sandplane.model.api.ExecResult;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What the command did: its output byte for byte, in {@code stdout}/{@code stderr} when it is UTF-8, and as
 * exact bytes in {@code stdoutBase64}/{@code stderrBase64} (present only then) when it is not. Output is capped
 * and {@code truncated} says when anything was dropped.
 */
public record ExecOutput(
        int exitCode,
        @Schema(description = "the command's standard output, exact when it is UTF-8 (newlines and CRs included);"
                + " otherwise a readable copy with U+FFFD where bytes do not decode, and the bytes in stdoutBase64")
        String stdout,
        @Schema(description = "as stdout, for standard error")
        String stderr,
        @Schema(description = "only when stdout is not valid UTF-8: its exact bytes, base64 (RFC 4648)")
        @JsonInclude(JsonInclude.Include.NON_NULL) String stdoutBase64,
        @Schema(description = "only when stderr is not valid UTF-8: its exact bytes, base64 (RFC 4648)")
        @JsonInclude(JsonInclude.Include.NON_NULL) String stderrBase64,
        @Schema(description = "output was dropped, on either stream, at a size limit or by the sandbox's execd")
        boolean truncated,
        @Schema(description = "the command was stopped at its timeout; exitCode is 124")
        boolean timedOut) {

    public static ExecOutput of(ExecResult r) {
        return new ExecOutput(r.exitCode(), r.stdout(), r.stderr(), r.stdoutBase64(), r.stderrBase64(), r.truncated(),
                r.timedOut());
    }
}
