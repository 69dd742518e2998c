package io.sandplane.urlrouter.proxy;

import io.sandplane.urlrouter.network.SandboxNetwork;
import java.net.ConnectException;
import java.net.InetAddress;

/**
 * A service's name resolved to an address the sandbox network does not allow: the connection is not
 * opened ({@link SandboxNetworkResolver}). Without a stack trace: it is an answer, not a fault.
 */
final class AddressRefused extends ConnectException {

    private final String name;
    private final InetAddress address;
    private final SandboxNetwork.Verdict verdict;

    AddressRefused(String name, InetAddress address, SandboxNetwork.Verdict verdict) {
        super(name + " resolved to " + address.getHostAddress() + ", " + verdict.reason());
        this.name = name;
        this.address = address;
        this.verdict = verdict;
    }

    /** The name and the address it resolved to, as reported: {@code guest.lan (10.9.9.9)}. */
    String reported() {
        return name + " (" + address.getHostAddress() + ")";
    }

    SandboxNetwork.Verdict verdict() {
        return verdict;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
