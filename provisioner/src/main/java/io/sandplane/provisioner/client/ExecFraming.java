package io.sandplane.provisioner.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;

/**
 * How a command's exact output gets through cmux-execd, whose framing loses bytes: one JSON event per output
 * line, empty lines skipped, trailing CRs cut, invalid UTF-8 replaced, and a stream that reaches a 1 MiB line
 * no longer read (docs/pve-simulator.md). The execd in the guest is cmux's, so the command goes in a small POSIX
 * shell wrapper that encodes instead:
 * <ul>
 * <li>each stream through {@code base64}, whose lines of 76 letters the framing keeps intact;</li>
 * <li>after both streams ended, a trailer line {@code ~<exit status>} on stdout — a letter base64 never writes —
 * so a stream cut short anywhere (execd's or the provisioner's limits, a kill) shows as such;</li>
 * <li>the command's own timeout, through coreutils' {@code timeout} on the command's process group: at its
 * deadline execd kills only its shell, and the encoders and whatever the command started would keep the
 * stream open. execd's timeout stays as a backstop {@link #EXECD_BACKSTOP_MS} later.</li>
 * </ul>
 * The command runs as it always did: {@code "$0" -c command}, the shell execd runs (bash under cmux-execd),
 * with stdin from /dev/null. The guest needs {@code base64} and {@code timeout} (coreutils).
 */
final class ExecFraming {

    /** TERM at the deadline, KILL this much later for a command that ignores TERM. */
    static final long KILL_AFTER_MS = 2_000;
    /** execd's own deadline comes after the wrapper's TERM and KILL. */
    static final long EXECD_BACKSTOP_MS = KILL_AFTER_MS + 1_000;
    /** Starts stdout's last line: the command's exit status, written once both streams were sent. */
    static final String TRAILER = "~";

    private ExecFraming() {
    }

    /** The wrapper script for execd's {@code command}, running {@code command} for at most {@code timeoutMs}. */
    static String wrap(String command, long timeoutMs) {
        // The command travels in base64 too: no quoting to get wrong, any byte but NUL kept; the '.' keeps
        // trailing newlines, which command substitution would strip.
        String encoded = Base64.getEncoder().encodeToString(command.getBytes(StandardCharsets.UTF_8));
        return "c=$(printf %s '" + encoded + "' | base64 -d; echo .); c=${c%.}\n"
                + "exec 3>&1 4>&2\n"
                // fd 5 and 6 inside: the stdout encoder's pipe and the status's; the command sees 0-2 only.
                + "s=$({ { { timeout -k " + seconds(KILL_AFTER_MS) + " " + seconds(timeoutMs)
                + " \"$0\" -c \"$c\" </dev/null 3>&- 4>&- 5>&- 6>&-; echo $? >&6; }"
                + " 2>&1 >&5 | base64 >&4; } 5>&1 | base64 >&3; } 6>&1)\n"
                + "echo \"" + TRAILER + "$s\"\n"
                + "exit \"$s\"\n";
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%d.%03d", ms / 1000, ms % 1000);
    }

    /** The exit status a trailer line carries, or null when the line is not one. */
    static Integer trailer(String line) {
        if (!line.startsWith(TRAILER)) {
            return null;
        }
        try {
            return Integer.parseInt(line.substring(TRAILER.length()).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** One output stream as the wrapper encoded it, decoded as its lines arrive and kept up to a byte limit. */
    static final class Decoded {
        private final int max;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        /** Letters of a base64 quantum (four letters) not yet complete. */
        private final StringBuilder pending = new StringBuilder();
        private boolean dropped;

        Decoded(int max) {
            this.max = max;
        }

        /** @throws IllegalArgumentException when the line is not base64 (the wrapper did not run as written) */
        void append(String line) {
            pending.append(line);
            int whole = pending.length() - pending.length() % 4;
            if (whole == 0) {
                return;
            }
            byte[] bytes = Base64.getDecoder().decode(pending.substring(0, whole));
            pending.delete(0, whole);
            int room = max - kept.size();
            if (bytes.length > room) {
                kept.write(bytes, 0, Math.max(0, room));
                dropped = true;
            } else {
                kept.write(bytes, 0, bytes.length);
            }
        }

        /** Letters left over: the encoded stream was cut inside a quantum. */
        boolean cut() {
            return !pending.isEmpty();
        }

        boolean dropped() {
            return dropped || cut();
        }

        /**
         * The bytes kept. When the end was dropped, a character the cut split is dropped with it, so output
         * that was UTF-8 stays UTF-8.
         */
        byte[] bytes() {
            byte[] bytes = kept.toByteArray();
            return dropped() ? withoutSplitCharacter(bytes) : bytes;
        }

        private static byte[] withoutSplitCharacter(byte[] bytes) {
            for (int back = 1; back <= Math.min(3, bytes.length); back++) {
                int b = bytes[bytes.length - back] & 0xff;
                if (b < 0x80) {
                    return bytes;
                }
                if (b >= 0xc0) {
                    int length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
                    return length > back ? Arrays.copyOf(bytes, bytes.length - back) : bytes;
                }
            }
            return bytes;
        }
    }
}
