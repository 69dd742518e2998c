package io.sandplane.devsupport.guard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, with the request line written byte for byte as given: HTTP client
 * libraries normalise or re-encode paths ({@code /./}, {@code %69}, backslashes), which is exactly
 * what a test of path spellings must not let them do. One request per connection
 * ({@code Connection: close}); the answer is read until the server closes.
 */
public final class RawHttp {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Enough of a body to recognise a problem type or a leaked answer; the rest is not kept. */
    private static final int KEPT_BODY = 4096;

    private RawHttp() {
    }

    /**
     * An answer.
     *
     * @param status the status code, or 0 when the server closed the connection without answering
     *               (which some servers do with a request line they refuse to parse)
     */
    public record Answer(int status, String head, String body) {

        /** A response header, case-insensitively, or null. */
        public String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                    return line.substring(prefix.length()).trim();
                }
            }
            return null;
        }
    }

    /**
     * Sends {@code method target HTTP/1.1} with a Host header naming {@code host:port}, the given
     * headers, and a JSON body when {@code jsonBody} is not null.
     */
    public static Answer send(String host, int port, String method, String target, Map<String, String> headers,
            String jsonBody) {
        StringBuilder request = new StringBuilder()
                .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n")
                .append("Connection: close\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        byte[] body = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
        if (jsonBody != null) {
            request.append("Content-Type: application/json\r\n");
        }
        if (jsonBody != null || !method.equals("GET") && !method.equals("HEAD")) {
            request.append("Content-Length: ").append(body.length).append("\r\n");
        }
        request.append("\r\n");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) TIMEOUT.toMillis());
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            // ISO-8859-1 keeps every byte of the request line as written (a backslash stays a backslash).
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return parse(readAll(socket.getInputStream()));
        } catch (SocketTimeoutException e) {
            throw new UncheckedIOException(method + " " + target + " on " + host + ":" + port + " got no answer within "
                    + TIMEOUT, e);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("Connection reset")) {
                return new Answer(0, "", "");
            }
            throw new UncheckedIOException(method + " " + target + " on " + host + ":" + port + " failed", e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0; ) {
            answer.write(buffer, 0, n);
        }
        return answer.toByteArray();
    }

    private static Answer parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        if (!text.startsWith("HTTP/")) {
            return new Answer(0, "", text);
        }
        int endOfHead = text.indexOf("\r\n\r\n");
        String head = endOfHead < 0 ? text : text.substring(0, endOfHead);
        String body = endOfHead < 0 ? "" : text.substring(endOfHead + 4);
        String[] statusLine = head.split("\r\n", 2)[0].split(" ", 3);
        int status = Integer.parseInt(statusLine[1]);
        return new Answer(status, head, body.length() > KEPT_BODY ? body.substring(0, KEPT_BODY) : body);
    }
}
