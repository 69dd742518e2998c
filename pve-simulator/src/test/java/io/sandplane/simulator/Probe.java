package io.sandplane.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Connects to a guest port from a chosen loopback source address, sends one HTTP request and tells
 * what the firewall in front of the guest did with it.
 */
final class Probe {

    /** What became of the connection. */
    enum Outcome {
        /** An HTTP answer came back: the firewall let it in. */
        ANSWERED,
        /** Reset: the firewall rejected it (REJECT sends a TCP reset). */
        RESET,
        /** Nothing came back within the wait: the firewall dropped it. */
        SILENT,
        /** Closed without an answer: neither a firewall verdict nor a guest. */
        CLOSED
    }

    /**
     * How long silence must last to count as a drop where a drop is expected: an accepted connection
     * to a running guest answers in milliseconds, so this is far above it, and each drop check costs
     * only this.
     */
    static final int SILENCE_MS = 400;
    /** Where an answer or a reset is expected: long enough for a busy machine, reached only on failure. */
    static final int PATIENCE_MS = 5000;

    private Probe() {
    }

    /** A request to {@code host:port} from {@code source} (e.g. 127.0.0.1, or another guest's address). */
    static Outcome connect(String source, String host, int port) {
        return connect(source, host, port, PATIENCE_MS);
    }

    /** A request where the firewall is expected to drop it: {@link #SILENCE_MS} of silence is the verdict. */
    static Outcome connectExpectingSilence(String source, String host, int port) {
        return connect(source, host, port, SILENCE_MS);
    }

    private static Outcome connect(String source, String host, int port, int waitMs) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            try {
                socket.connect(new InetSocketAddress(host, port), 2000);
            } catch (ConnectException e) {
                throw new AssertionError("nothing listens on " + host + ":" + port, e);
            } catch (SocketException e) {
                // the reset can beat connect() to the client
                return Outcome.RESET;
            }
            return exchange(socket, waitMs);
        } catch (IOException e) {
            throw new AssertionError("could not connect to " + host + ":" + port + " from " + source, e);
        }
    }

    /** One request on an open connection (keep-alive), and the outcome. */
    static Outcome exchange(Socket socket) throws IOException {
        return exchange(socket, PATIENCE_MS);
    }

    private static Outcome exchange(Socket socket, int waitMs) throws IOException {
        socket.setSoTimeout(waitMs);
        try {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /healthz HTTP/1.1\r\nHost: guest\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            int first = in.read();
            if (first < 0) {
                return Outcome.CLOSED;
            }
            // the whole answer (head, then Content-Length bytes), so that a next request starts clean
            socket.setSoTimeout(2000);
            StringBuilder head = new StringBuilder().append((char) first);
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new AssertionError("answer cut short: " + head);
                }
                head.append((char) b);
            }
            if (!head.toString().startsWith("HTTP/1.1 ")) {
                throw new AssertionError("not an HTTP answer: " + head);
            }
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
            in.readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
            return Outcome.ANSWERED;
        } catch (SocketTimeoutException e) {
            return Outcome.SILENT;
        } catch (SocketException e) {
            // a reset shows as "Connection reset" on read or "Broken pipe" on write
            return Outcome.RESET;
        }
    }
}
