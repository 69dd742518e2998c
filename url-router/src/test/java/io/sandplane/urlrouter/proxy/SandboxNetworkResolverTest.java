package io.sandplane.urlrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.resolver.InetSocketAddressResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.sandplane.model.network.Cidr;
import io.sandplane.urlrouter.network.SandboxNetwork;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A name is reached at whatever address it resolves to when the connection opens: that address is judged, whatever
 * form the resolver hands it in, and already-resolved addresses pass the same judge.
 */
class SandboxNetworkResolverTest {

    private static final SandboxNetwork NETWORK = SandboxNetwork.configured(Optional.of("10.10.0.0/24"), Optional.of("10.10.0.1"),
            List.of());

    /** DNS as a guest's owner might set it up. */
    private static final Map<String, List<String>> DNS = Map.of(
            "guest.lan", List.of("10.10.0.5"),
            "moved.lan", List.of("192.0.2.7"),
            "pve.lan", List.of("10.10.0.1"),
            "mapped.lan", List.of("::ffff:10.10.0.1"),
            "loopback.lan", List.of("127.0.0.1"),
            "mixed.lan", List.of("127.0.0.1", "10.10.0.6"));

    private final AddressResolver<InetSocketAddress> resolver = new SandboxNetworkResolver(new FakeDns(), NETWORK)
            .getResolver(ImmediateEventExecutor.INSTANCE);

    @Test
    void aNameThatResolvesInsideThePoolIsReached() {
        Future<InetSocketAddress> resolved = resolver.resolve(InetSocketAddress.createUnresolved("guest.lan", 5173));
        assertThat(resolved.isSuccess()).isTrue();
        assertThat(resolved.getNow().getAddress().getHostAddress()).isEqualTo("10.10.0.5");
        assertThat(resolved.getNow().getPort()).isEqualTo(5173);
    }

    @Test
    void aNameThatResolvesOutsideThePoolOrToTheControlPlaneIsRefusedBeforeAnyConnection() {
        Map<String, SandboxNetwork.Verdict> refused = Map.of(
                "moved.lan", SandboxNetwork.Verdict.OUTSIDE_POOL,
                "pve.lan", SandboxNetwork.Verdict.CONTROL_PLANE,
                "mapped.lan", SandboxNetwork.Verdict.CONTROL_PLANE,
                "loopback.lan", SandboxNetwork.Verdict.RESERVED);
        refused.forEach((name, verdict) -> {
            Future<InetSocketAddress> resolved = resolver.resolve(InetSocketAddress.createUnresolved(name, 80));
            assertThat(resolved.isSuccess()).as(name).isFalse();
            assertThat(resolved.cause()).as(name).isInstanceOfSatisfying(AddressRefused.class, e -> {
                assertThat(e.verdict()).isEqualTo(verdict);
                assertThat(e.reported()).startsWith(name + " (");
            });
        });
        // A name nobody knows fails as it would without the judge.
        assertThat(resolver.resolve(InetSocketAddress.createUnresolved("unknown.lan", 80)).cause())
                .isInstanceOf(UnknownHostException.class);
    }

    @Test
    void addressesAlreadyResolvedPassTheSameJudge() throws Exception {
        // Netty's bootstrap skips resolvers for resolved addresses; this one claims none is, so none gets past.
        InetSocketAddress resolvedLoopback = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 80);
        assertThat(resolver.isResolved(resolvedLoopback)).isFalse();
        assertThat(resolver.resolve(resolvedLoopback).cause()).isInstanceOf(AddressRefused.class);
        InetSocketAddress resolvedGuest = new InetSocketAddress(Cidr.parseAddress("10.10.0.5").orElseThrow(), 80);
        assertThat(resolver.resolve(resolvedGuest).getNow()).isEqualTo(resolvedGuest);
    }

    @Test
    void ofAllOfANamesAddressesOnlyTheAllowedOnesAreKept() {
        assertThat(resolver.resolveAll(InetSocketAddress.createUnresolved("mixed.lan", 80)).getNow())
                .extracting(a -> a.getAddress().getHostAddress()).containsExactly("10.10.0.6");
        assertThat(resolver.resolveAll(InetSocketAddress.createUnresolved("loopback.lan", 80)).cause())
                .isInstanceOf(AddressRefused.class);
    }

    /** A name service answering from {@link #DNS}, in the forms resolvers use (mapped addresses as IPv6 objects too). */
    private static final class FakeDns extends AddressResolverGroup<InetSocketAddress> {
        @Override
        protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
            return new InetSocketAddressResolver(executor, new InetNameResolver(executor) {
                @Override
                protected void doResolve(String name, Promise<InetAddress> promise) {
                    List<InetAddress> all = lookup(name);
                    if (all.isEmpty()) {
                        promise.setFailure(new UnknownHostException(name));
                    } else {
                        promise.setSuccess(all.getFirst());
                    }
                }

                @Override
                protected void doResolveAll(String name, Promise<List<InetAddress>> promise) {
                    List<InetAddress> all = lookup(name);
                    if (all.isEmpty()) {
                        promise.setFailure(new UnknownHostException(name));
                    } else {
                        promise.setSuccess(all);
                    }
                }
            });
        }

        private static List<InetAddress> lookup(String name) {
            return DNS.getOrDefault(name, List.of()).stream().map(text -> {
                try {
                    byte[] bytes = InetAddress.getByName(text).getAddress();
                    // Keep a mapped answer as the IPv6 object a DNS library may build from an AAAA record.
                    return text.contains(":") && bytes.length == 4
                            ? java.net.Inet6Address.getByAddress(name, ipv4Mapped(bytes), -1)
                            : InetAddress.getByAddress(name, bytes);
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
        }

        private static byte[] ipv4Mapped(byte[] v4) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(v4, 0, mapped, 12, 4);
            return mapped;
        }
    }
}
