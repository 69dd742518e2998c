package io.sandplane.urlrouter.proxy;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.sandplane.urlrouter.network.SandboxNetwork;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves service addresses for {@link Upstreams}, then refuses any the sandbox network does not
 * allow, before the connection is opened: a service recorded by FQDN is reached at whatever address
 * its name has when the connection opens, so that is the address to judge (the guest, or whoever
 * answers for its name, decides what DNS says). Every connection goes through it, addresses already
 * resolved included (those of recorded IPs were judged when the route was loaded; judging again costs
 * nothing per request, only per new connection).
 */
final class SandboxNetworkResolver extends AddressResolverGroup<InetSocketAddress> {

    private final AddressResolverGroup<InetSocketAddress> names;
    private final SandboxNetwork network;

    /** {@code names}: what looks names up (Vert.x's resolver). */
    SandboxNetworkResolver(AddressResolverGroup<InetSocketAddress> names, SandboxNetwork network) {
        this.names = names;
        this.network = network;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new Judging(executor, names.getResolver(executor), network);
    }

    private record Judging(EventExecutor executor, AddressResolver<InetSocketAddress> names, SandboxNetwork network)
            implements AddressResolver<InetSocketAddress> {

        @Override
        public boolean isSupported(SocketAddress address) {
            return names.isSupported(address);
        }

        /** Never: so that Netty's bootstrap passes every address through {@link #resolve}, and so past the judge. */
        @Override
        public boolean isResolved(SocketAddress address) {
            return false;
        }

        @Override
        public Future<InetSocketAddress> resolve(SocketAddress address) {
            return resolve(address, executor.newPromise());
        }

        @Override
        public Future<InetSocketAddress> resolve(SocketAddress address, Promise<InetSocketAddress> promise) {
            names.resolve(address).addListener((Future<InetSocketAddress> resolved) -> {
                if (!resolved.isSuccess()) {
                    promise.tryFailure(resolved.cause());
                    return;
                }
                InetSocketAddress found = resolved.getNow();
                SandboxNetwork.Verdict verdict = network.judge(found.getAddress());
                if (verdict == SandboxNetwork.Verdict.ALLOWED) {
                    promise.trySuccess(found);
                } else {
                    promise.tryFailure(new AddressRefused(name(address), found.getAddress(), verdict));
                }
            });
            return promise;
        }

        @Override
        public Future<List<InetSocketAddress>> resolveAll(SocketAddress address) {
            return resolveAll(address, executor.newPromise());
        }

        /** The allowed ones of all the name's addresses; refused if none is allowed. */
        @Override
        public Future<List<InetSocketAddress>> resolveAll(SocketAddress address, Promise<List<InetSocketAddress>> promise) {
            names.resolveAll(address).addListener((Future<List<InetSocketAddress>> resolved) -> {
                if (!resolved.isSuccess()) {
                    promise.tryFailure(resolved.cause());
                    return;
                }
                List<InetSocketAddress> allowed = new ArrayList<>();
                AddressRefused refused = null;
                for (InetSocketAddress found : resolved.getNow()) {
                    SandboxNetwork.Verdict verdict = network.judge(found.getAddress());
                    if (verdict == SandboxNetwork.Verdict.ALLOWED) {
                        allowed.add(found);
                    } else if (refused == null) {
                        refused = new AddressRefused(name(address), found.getAddress(), verdict);
                    }
                }
                if (allowed.isEmpty() && refused != null) {
                    promise.tryFailure(refused);
                } else {
                    promise.trySuccess(allowed);
                }
            });
            return promise;
        }

        private static String name(SocketAddress address) {
            return address instanceof InetSocketAddress inet ? inet.getHostString() : String.valueOf(address);
        }

        @Override
        public void close() {
            // The names resolver belongs to its own group, which closes it.
        }
    }
}
