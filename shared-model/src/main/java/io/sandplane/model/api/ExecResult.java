package io.sandplane.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What a command did. {@code stdout} and {@code stderr} are the command's output byte for byte (empty lines, CRs
 * and the trailing newline included) whenever it is valid UTF-8; when it is not, they hold a readable copy
 * (U+FFFD for what does not decode) and {@code stdoutBase64} / {@code stderrBase64} the exact bytes, which are
 * absent otherwise. Output is capped; {@code truncated} says when anything was dropped, on either stream, by the
 * sandbox's execd or by the provisioner.
 *
 * @param timedOut the command was stopped at its timeout (exit code 124)
 */
public record ExecResult(
        int exitCode,
        String stdout,
        String stderr,
        @JsonInclude(JsonInclude.Include.NON_NULL) String stdoutBase64,
        @JsonInclude(JsonInclude.Include.NON_NULL) String stderrBase64,
        boolean truncated,
        boolean timedOut) {

    /** The result of a command whose output streams were these bytes. */
    public static ExecResult of(int exitCode, byte[] stdout, byte[] stderr, boolean truncated, boolean timedOut) {
        return new ExecResult(exitCode, new String(stdout, StandardCharsets.UTF_8), new String(stderr, StandardCharsets.UTF_8),
                base64UnlessUtf8(stdout), base64UnlessUtf8(stderr), truncated, timedOut);
    }

    private static String base64UnlessUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return null;
        } catch (CharacterCodingException notUtf8) {
            return Base64.getEncoder().encodeToString(bytes);
        }
    }
}
