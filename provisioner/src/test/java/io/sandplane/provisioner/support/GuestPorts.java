package io.sandplane.provisioner.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Connects to a simulator guest's port from a chosen local address, as the simulator's firewall judges connections by
 * their source: 127.0.0.1 is the test JVM (standing in for the url-router and the provisioner), another guest's
 * address is that sandbox. Policies here are REJECT, which the simulator answers with a reset at once, so no test
 * waits for a timeout.
 */
public final class GuestPorts {

    private GuestPorts() {
    }

    /** Whether an HTTP request from {@code source} to {@code guest:port} gets an answer (false: reset or closed). */
    public static boolean answers(String source, String guest, int port) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress(guest, port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /healthz HTTP/1.1\r\nHost: " + guest + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);
            return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1");
        } catch (IOException e) {
            return false;
        }
    }
}
