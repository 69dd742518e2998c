package io.sandplane.simulator.guest;

/** Decides, for each new connection to one of a guest's ports, whether its firewall lets it in. */
@FunctionalInterface
public interface InboundGate {

    /** Lets everything in: a guest without a firewall path. */
    InboundGate OPEN = (source, sourcePort, destination, port) -> Verdict.ACCEPT;

    /** The verdict for a connection from {@code source:sourcePort} to {@code destination:port} (addresses as text). */
    Verdict admit(String source, int sourcePort, String destination, int port);
}
